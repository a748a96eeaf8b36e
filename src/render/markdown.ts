/**
 * Text that came from users (file names, reasons, plan text) is escaped before it reaches a check
 * or a comment: no HTML, no mentions that would notify, no breaking out of a table or code span.
 */
export function escapeText(text: string, max = 500): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return cut
    .replace(/[\r\n]+/g, " ")
    .replace(/[<>&]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;" })[c] ?? c)
    .replace(/([\\`*_[\]|#~])/g, "\\$1")
    .replace(/@/g, "@\u200b");
}

/** Inline code that cannot be broken out of (backticks inside are dropped). */
export function code(text: string, max = 200): string {
  const clean = text.replace(/`/g, "'").replace(/[\r\n]+/g, " ");
  return `\`${clean.length > max ? `${clean.slice(0, max)}…` : clean}\``;
}

/** A fenced block whose fence is longer than any backtick run inside it. */
export function fenced(text: string, lang = ""): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}${lang}\n${text}\n${fence}`;
}

export function mention(login: string): string {
  return `@${login}`;
}

export function cut(text: string, max: number, note: string): string {
  if (text.length <= max) return text;
  const tail = `\n\n${note}`;
  return text.slice(0, Math.max(0, max - tail.length)) + tail;
}
