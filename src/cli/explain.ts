/**
 * `flowgate explain --stack NAME [--dir DIR] [--org ORG] [--at TIME] [--json]` (SPEC §6.1): the
 * effective flow control of one stack with the provenance of every field, the steps its job will take,
 * the approvals and gates it needs.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { formatDiagnostic } from "../config/diagnostics.js";
import type { ExprVars } from "../engine/expressions.js";
import { buildPolicyIndex, resolveStack } from "../engine/resolve.js";
import { parseResultJson } from "../plan/result.js";
import { explainReport, renderExplainText } from "../render/explain.js";
import type { CliIO, ExitCode } from "./io.js";
import { type FolderArgs, loadWorkspace, resolveFolders } from "./workspace.js";

export const EXPLAIN_USAGE = `usage: flowgate explain --stack NAME [options]

Shows the flow control that applies to one stack, with the policy and file behind every field.

options:
  --stack NAME          the stack to explain (required)
  --dir DIR             the configuration folder (default: .github/flowgate, else the current folder)
  --org NAME            the organization the repository belongs to (selects organization policies)
  --org-dir DIR         the organization's .github/flowgate folder
  --platform-dir DIR    platform policies (default: policies/platform of this package)
  --repo-root DIR       the checkout stack generators scan (default: the folder above .github)
  --at ISO-TIME         evaluate schedules and expiry at this time (default: now)
  --plan FILE           a result.json, so conditions and rules that read the plan are evaluated
  --author LOGIN        the PR author / triggering user for expressions
  --json                print JSON
`;

interface ExplainArgs extends FolderArgs {
  stack?: string;
  org?: string;
  at?: string;
  plan?: string;
  author?: string;
  json: boolean;
  help: boolean;
}

const VALUE_OPTIONS: Record<string, keyof ExplainArgs> = {
  "--stack": "stack",
  "--dir": "dir",
  "--org": "org",
  "--org-dir": "orgDir",
  "--platform-dir": "platformDir",
  "--repo-root": "repoRoot",
  "--at": "at",
  "--plan": "plan",
  "--author": "author",
};

function parseArgs(args: readonly string[]): ExplainArgs | { error: string } {
  const out: ExplainArgs = { json: false, help: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--json") out.json = true;
    else if (arg === "--help" || arg === "-h") out.help = true;
    else if (arg.startsWith("-")) {
      const eq = arg.indexOf("=");
      const name = eq === -1 ? arg : arg.slice(0, eq);
      const key = VALUE_OPTIONS[name];
      if (!key) return { error: `unknown option ${name}` };
      const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
      if (value === undefined || value === "") return { error: `${name} needs a value` };
      (out as unknown as Record<string, string>)[key] = value;
    } else return { error: `unexpected argument "${arg}"` };
  }
  return out;
}

function usageError(io: CliIO, message: string): ExitCode {
  io.stderr(`flowgate explain: ${message}\n\n${EXPLAIN_USAGE}`);
  return 2;
}

export async function runExplain(args: readonly string[], io: CliIO): Promise<ExitCode> {
  const parsed = parseArgs(args);
  if ("error" in parsed) return usageError(io, parsed.error);
  if (parsed.help) {
    io.stdout(EXPLAIN_USAGE);
    return 0;
  }
  if (!parsed.stack) return usageError(io, "--stack is required");
  const now = parsed.at ? new Date(parsed.at) : new Date();
  if (Number.isNaN(now.getTime()))
    return usageError(io, `--at "${parsed.at}" is not a time such as 2027-02-01T09:00:00Z`);
  const folders = resolveFolders(parsed, io.cwd);
  if ("error" in folders) return usageError(io, folders.error);
  const workspace = await loadWorkspace(folders, io.cwd, parsed.org, now);
  const errors = workspace.diagnostics.filter((d) => d.severity === "error");
  const stack = workspace.stacks.find((s) => s.name === parsed.stack);
  if (!stack) {
    const known = workspace.stacks.map((s) => s.name).slice(0, 20);
    io.stderr(
      `flowgate explain: no stack named "${parsed.stack}"${known.length ? ` (stacks: ${known.join(", ")})` : ""}\n`,
    );
    for (const d of errors) io.stderr(`${formatDiagnostic(d)}\n`);
    return 1;
  }
  const vars: ExprVars = {
    stack: { name: stack.name, kind: stack.kind },
    environment: stack.environment,
    files: [],
    ...(parsed.author
      ? {
          triggeredBy: { login: parsed.author, type: "user" as const },
          pr: { author: parsed.author, labels: [], baseRef: "main" },
        }
      : {}),
  };
  if (parsed.plan) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(resolve(io.cwd, parsed.plan), "utf8"));
    } catch (error) {
      return usageError(io, `cannot read --plan ${parsed.plan}: ${(error as Error).message}`);
    }
    const result = parseResultJson(raw);
    if (!result.ok) return usageError(io, `--plan ${parsed.plan}: ${result.error}`);
    vars.plan = { ...result.value.summary, resources: result.value.resources };
    if (result.value.estimatedCost !== undefined) vars.estimatedCost = result.value.estimatedCost;
  }
  const index = buildPolicyIndex(workspace.all.policies, now);
  const resolution = resolveStack(index, stack, { ...(parsed.org ? { org: parsed.org } : {}), now, vars });
  const gates = new Map(
    [...(workspace.organization?.gates ?? []), ...workspace.repository.gates].map((g) => [g.name, g]),
  );
  const report = explainReport(resolution, gates, now);
  if (!parsed.org) report.notes.push("no --org given: organization policies are not applied");
  if (parsed.json)
    io.stdout(`${JSON.stringify({ ...report, configErrors: errors.map(formatDiagnostic) }, null, 2)}\n`);
  else {
    io.stdout(renderExplainText(report));
    for (const d of errors) io.stdout(`Configuration error: ${formatDiagnostic(d)}\n`);
  }
  return errors.length > 0 || report.errors.length > 0 ? 1 : 0;
}
