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

/** UTF-8 size: GitHub measures check-run output in bytes, not characters. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/** The longest prefix of `text` that fits in `maxBytes` of UTF-8, never splitting a character. */
export function sliceBytes(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= maxBytes) return text;
  let end = Math.max(0, maxBytes);
  // Step back over continuation bytes (10xxxxxx) to the start of the character that would be split.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString("utf8");
}

/** `text` within `maxBytes` of UTF-8 (which also bounds its length in characters), ending with `note` when cut. */
export function cut(text: string, maxBytes: number, note: string): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  const tail = `\n\n${note}`;
  return sliceBytes(text, maxBytes - utf8Bytes(tail)) + tail;
}

/** A fenced block within `maxBytes`, cut inside the fence so the block stays closed, the note after it. */
export function fencedWithin(text: string, lang: string, maxBytes: number, note: string): string {
  const whole = fenced(text, lang);
  if (utf8Bytes(whole) <= maxBytes) return whole;
  const tail = `\n\n${note}`;
  const overhead = utf8Bytes(whole) - utf8Bytes(text);
  return fenced(sliceBytes(text, maxBytes - overhead - utf8Bytes(tail)), lang) + tail;
}
