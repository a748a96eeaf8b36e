/**
 * `flowgate explain --stack NAME [--dir DIR] [--org ORG] [--at TIME] [--json]` (SPEC §6.1): the
 * effective flow control of one stack with the provenance of every field, the steps its job will take,
 * the approvals and gates it needs.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { formatDiagnostic } from "../config/diagnostics.js";
import { buildPolicyIndex, resolveStack } from "../engine/resolve.js";
import type { ExprVars } from "../lang/expressions.js";
import { parseResultJson } from "../plan/result.js";
import { explainReport, renderExplainText } from "../render/explain.js";
import { parseArgs, parseAt } from "./args.js";
import type { CliIO, ExitCode } from "./io.js";
import { loadWorkspace, resolveFolders } from "./workspace.js";

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

const VALUE_OPTIONS = [
  "--stack",
  "--dir",
  "--org",
  "--org-dir",
  "--platform-dir",
  "--repo-root",
  "--at",
  "--plan",
  "--author",
];

function usageError(io: CliIO, message: string): ExitCode {
  io.stderr(`flowgate explain: ${message}\n\n${EXPLAIN_USAGE}`);
  return 2;
}

export async function runExplain(args: readonly string[], io: CliIO): Promise<ExitCode> {
  const options = parseArgs(args, VALUE_OPTIONS, ["--json"]);
  if ("error" in options) return usageError(io, options.error);
  if (options.flags.has("--help")) {
    io.stdout(EXPLAIN_USAGE);
    return 0;
  }
  if (options.positional.length > 0) return usageError(io, `unexpected argument "${options.positional[0]}"`);
  const get = (name: string) => options.values.get(name);
  const parsed = {
    stack: get("--stack"),
    org: get("--org"),
    plan: get("--plan"),
    author: get("--author"),
    json: options.flags.has("--json"),
  };
  if (!parsed.stack) return usageError(io, "--stack is required");
  const now = parseAt(get("--at"));
  if ("error" in now) return usageError(io, now.error);
  const folders = resolveFolders(
    {
      dir: get("--dir"),
      orgDir: get("--org-dir"),
      platformDir: get("--platform-dir"),
      repoRoot: get("--repo-root"),
    },
    io.cwd,
  );
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
