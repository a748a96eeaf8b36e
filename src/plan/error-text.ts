/**
 * The error output of a failed `init`, `plan` or `apply`, made fit for a result.json's `text`
 * (SPEC §5): colour codes and control characters removed, and only the end kept when it is long,
 * because the error that stopped the run is the last thing the tool printed.
 */

/** Enough for several Terraform error blocks, small next to result.json's 5 MiB limit. */
export const MAX_ERROR_TEXT_CHARS = 64 * 1024;

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences start with ESC
const ANSI_ESCAPES = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b[@-Z\\-_]/g;
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
