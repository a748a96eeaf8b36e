/**
 * `flowgate validate [DIR]` (SPEC §6.1): loads a folder of configuration with the platform's and, optionally, the
 * organization's, expands generators over the repository's files, and prints every finding as
 * `file:line:col: error|warning: message`. Exit 1 on errors, 0 otherwise, 2 for usage errors.
 */
import { formatDiagnostic, hasErrors, summarizeDiagnostics } from "../config/diagnostics.js";
import type { CliIO, ExitCode } from "./io.js";
import { type FolderArgs, loadWorkspace, resolveFolders } from "./workspace.js";

export const VALIDATE_USAGE = `usage: flowgate validate [DIR] [options]

Validates a folder of flowgate configuration (default: .github/flowgate, else the current folder).

options:
  --org NAME            the organization's login (checks organization selectors)
  --org-dir DIR         the organization's .github/flowgate folder
  --platform-dir DIR    platform policies (default: policies/platform of this package)
  --repo-root DIR       the repository checkout that stack generators scan (default: the folder above .github)
  --at ISO-TIME         the time to check expiry against (default: now)
  --json                print the findings as JSON
`;

interface ValidateArgs extends FolderArgs {
  org?: string;
  at?: string;
  json: boolean;
  help: boolean;
}

const VALUE_OPTIONS = {
  "--org": "org",
  "--org-dir": "orgDir",
  "--platform-dir": "platformDir",
  "--repo-root": "repoRoot",
  "--at": "at",
} as const;

function parseArgs(args: readonly string[]): ValidateArgs | { error: string } {
  const out: ValidateArgs = { json: false, help: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--json") out.json = true;
    else if (arg === "--help" || arg === "-h") out.help = true;
    else if (arg.startsWith("-")) {
      const eq = arg.indexOf("=");
      const name = eq === -1 ? arg : arg.slice(0, eq);
      const key = VALUE_OPTIONS[name as keyof typeof VALUE_OPTIONS];
      if (key === undefined) return { error: `unknown option ${name}` };
      const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
      if (value === undefined || value === "") return { error: `${name} needs a value` };
      out[key] = value;
    } else if (out.dir === undefined) out.dir = arg;
    else return { error: `unexpected argument "${arg}": give at most one folder` };
  }
  return out;
}

function usageError(io: CliIO, message: string): ExitCode {
  io.stderr(`flowgate validate: ${message}\n\n${VALIDATE_USAGE}`);
  return 2;
}

export async function runValidate(args: readonly string[], io: CliIO): Promise<ExitCode> {
  const parsed = parseArgs(args);
  if ("error" in parsed) return usageError(io, parsed.error);
  if (parsed.help) {
    io.stdout(VALIDATE_USAGE);
    return 0;
  }
  let now = new Date();
  if (parsed.at !== undefined) {
    now = new Date(parsed.at);
    if (Number.isNaN(now.getTime()))
      return usageError(io, `--at "${parsed.at}" is not a time such as 2027-02-01T09:00:00Z`);
  }
  const folders = resolveFolders(parsed, io.cwd);
  if ("error" in folders) return usageError(io, folders.error);

  const workspace = await loadWorkspace(folders, io.cwd, parsed.org, now);
  const { diagnostics, repository } = workspace;
  const files = workspace.files;
  const failed = hasErrors(diagnostics);

  if (parsed.json) {
    const errors = diagnostics.filter((d) => d.severity === "error").length;
    const report = { ok: !failed, errors, warnings: diagnostics.length - errors, files, diagnostics };
    io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    for (const d of diagnostics) io.stdout(`${formatDiagnostic(d)}\n`);
    io.stdout(`${summarizeDiagnostics(diagnostics, files.length)}\n`);
    if (repository.files.length === 0)
      io.stderr(`flowgate validate: no *.yml or *.yaml files in ${folders.config}\n`);
  }
  return failed ? 1 : 0;
}
