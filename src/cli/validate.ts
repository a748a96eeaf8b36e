/**
 * `flowgate validate [DIR]` (SPEC §6.1): loads a folder of configuration with the platform's and, optionally, the
 * organization's, expands generators over the repository's files, and prints every finding as
 * `file:line:col: error|warning: message`. Exit 1 on errors, 0 otherwise, 2 for usage errors.
 */
import { formatDiagnostic, hasErrors, summarizeDiagnostics } from "../config/diagnostics.js";
import { parseArgs, parseAt } from "./args.js";
import type { CliIO, ExitCode } from "./io.js";
import { loadWorkspace, resolveFolders } from "./workspace.js";

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

const VALUE_OPTIONS = ["--org", "--org-dir", "--platform-dir", "--repo-root", "--at"];

function usageError(io: CliIO, message: string): ExitCode {
  io.stderr(`flowgate validate: ${message}\n\n${VALIDATE_USAGE}`);
  return 2;
}

export async function runValidate(args: readonly string[], io: CliIO): Promise<ExitCode> {
  const parsed = parseArgs(args, VALUE_OPTIONS, ["--json"]);
  if ("error" in parsed) return usageError(io, parsed.error);
  if (parsed.flags.has("--help")) {
    io.stdout(VALIDATE_USAGE);
    return 0;
  }
  if (parsed.positional.length > 1)
    return usageError(io, `unexpected argument "${parsed.positional[1]}": give at most one folder`);
  const now = parseAt(parsed.values.get("--at"));
  if ("error" in now) return usageError(io, now.error);
  const org = parsed.values.get("--org");
  const folderArgs = {
    dir: parsed.positional[0],
    orgDir: parsed.values.get("--org-dir"),
    platformDir: parsed.values.get("--platform-dir"),
    repoRoot: parsed.values.get("--repo-root"),
  };
  const folders = resolveFolders(folderArgs, io.cwd);
  if ("error" in folders) return usageError(io, folders.error);

  const workspace = await loadWorkspace(folders, io.cwd, org, now);
  const { diagnostics, repository } = workspace;
  const files = workspace.files;
  const failed = hasErrors(diagnostics);

  if (parsed.flags.has("--json")) {
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
