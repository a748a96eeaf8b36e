/** Building, ordering and printing diagnostics: every finding names a file, a line and a column. */
import type { Diagnostic, DocOrigin, NodePath, Position, Severity } from "./types.js";

export function diagnosticAt(
  origin: DocOrigin,
  path: NodePath,
  severity: Severity,
  message: string,
): Diagnostic {
  const at = origin.pos(path);
  return { severity, file: origin.file, line: at.line, col: at.col, message };
}

export function fileDiagnostic(
  file: string,
  severity: Severity,
  message: string,
  at: Position = { line: 1, col: 1 },
): Diagnostic {
  return { severity, file, line: at.line, col: at.col, message };
}

/** `file:line` of a node, for messages that point at a second place ("also defined at ..."). */
export function describeLocation(origin: DocOrigin, path: NodePath): string {
  const at = origin.pos(path);
  return `${origin.file}:${at.line}`;
}

/** `spec.dependsOn[1]`, or "the document" for the root. */
export function displayPath(path: NodePath): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? segment : `.${segment}`;
  }
  return out === "" ? "the document" : out;
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  if (a.line !== b.line) return a.line - b.line;
  if (a.col !== b.col) return a.col - b.col;
  if (a.severity !== b.severity) return a.severity === "error" ? -1 : 1;
  return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
}

/** Sorted by file, line and column, with exact repeats removed (generated stacks share one position). */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of diagnostics) {
    const key = [d.file, d.line, d.col, d.severity, d.message].join("\0");
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out.sort(compareDiagnostics);
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** `file:line:col: error: message` */
/** `file:line:col message`, as checks and comments show a problem (no severity: they list errors only). */
export function formatProblem(d: Pick<Diagnostic, "file" | "line" | "col" | "message">): string {
  return `${d.file}:${d.line}:${d.col} ${d.message}`;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** `3 errors, 1 warning in 4 files` */
export function summarizeDiagnostics(diagnostics: readonly Diagnostic[], fileCount: number): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  return `${plural(errors, "error")}, ${plural(warnings, "warning")} in ${plural(fileCount, "file")}`;
}
