/**
 * The error output of a failed `init`, `plan` or `apply`, made fit for a result.json's `text`
 * (SPEC §5): colour codes and control characters removed, and only the end kept when it is long,
 * because the error that stopped the run is the last thing the tool printed.
 */

/** Enough for several Terraform error blocks, small next to result.json's 5 MiB limit. */
export const MAX_ERROR_TEXT_CHARS = 64 * 1024;

// ANSI escapes: colours and cursor moves `ESC [ … letter`, character sets `ESC ( B`, `ESC letter`.
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences start with ESC
const ANSI_ESCAPES = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b[()][0-9A-Za-z]|\u001b[@-Z\\-_]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
const CONTROL_CHARS_EXCEPT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** Plain text of at most MAX_ERROR_TEXT_CHARS characters, its end kept; empty when nothing is left. */
export function errorText(raw: string): string {
  const text = raw
    .replace(ANSI_ESCAPES, "")
    .replace(/\r\n?/g, "\n")
    .replace(CONTROL_CHARS_EXCEPT_LINES, "")
    .trim();
  if (text.length <= MAX_ERROR_TEXT_CHARS) return text;
  const tail = text.slice(text.length - MAX_ERROR_TEXT_CHARS);
  // Start at a line boundary so the first line shown is whole.
  const start = tail.indexOf("\n");
  return `[${text.length - MAX_ERROR_TEXT_CHARS} earlier characters left out]\n${start === -1 ? tail : tail.slice(start + 1)}`;
}

/** Longest error summary a job's reason carries (checks cut reasons at 2000 characters). */
export const MAX_ERROR_SUMMARY_CHARS = 1000;

/**
 * One line saying what went wrong, from a failure result's text: the tool's `Error:` lines when
 * there are any (Terraform, OpenTofu and Pulumi all start errors so), else every non-empty line.
 */
export function errorSummary(text: string): string {
  const lines = text
    .split("\n")
    // Terraform frames each diagnostic with box-drawing characters.
    .map((line) => line.replace(/^[\s│╷╵|]+/, "").trim())
    .filter((line) => line !== "");
  const errors = lines.filter((line) => /^error\b/i.test(line));
  const summary = (errors.length > 0 ? errors : lines).join(" · ");
  return summary.length > MAX_ERROR_SUMMARY_CHARS ? `${summary.slice(0, MAX_ERROR_SUMMARY_CHARS)}…` : summary;
}
