/**
 * Which lines of a comment a person sees as plain text: not inside fenced code, block quotes
 * (including their lazy continuation lines), HTML comments or raw HTML blocks such as <pre>.
 * Indented code (four spaces or a tab) is left to the command pattern, which allows three spaces at
 * most. Follows CommonMark closely enough that what renders as code or as a quote is never read as a
 * command; where it is unsure it leaves a line out, never in.
 */

export interface VisibleLine {
  /** 1-based */
  line: number;
  /** the line with inline HTML comments removed */
  text: string;
}

interface Fence {
  char: "`" | "~";
  length: number;
  /** the column the fence starts at */
  column: number;
  /** opened inside a list item: a less indented line ends the item and with it the code */
  inList: boolean;
}

const LIST_MARKER = /^(?:[-+*]|\d{1,9}[.)])(?:[ \t]+|$)/;
const RAW_HTML_OPEN = /^<(pre|script|style|textarea)(?:[\s>]|$)/i;
const THEMATIC_BREAK = /^(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$/;
const ATX_HEADING = /^#{1,6}(?:[ \t]|$)/;

/** Columns of leading whitespace, with tab stops every 4 columns as CommonMark counts them. */
function columnsOf(text: string): number {
  let columns = 0;
  for (const char of text) {
    if (char === " ") columns += 1;
    else if (char === "\t") columns += 4 - (columns % 4);
    else break;
  }
  return columns;
}

function leadingColumns(line: string): number {
  return columnsOf(/^[ \t]*/.exec(line)![0]);
}

/** The fence a line opens, looking through list markers (a fence inside a list item is still code). */
function openingFence(line: string): Fence | undefined {
  let consumed = /^[ \t]*/.exec(line)![0];
  let rest = line.slice(consumed.length);
  let inList = false;
  for (let m = LIST_MARKER.exec(rest); m && rest.length > 0; m = LIST_MARKER.exec(rest)) {
    consumed += m[0];
    rest = rest.slice(m[0].length);
    inList = true;
  }
  const match = /^(`{3,}|~{3,})(.*)$/.exec(rest);
  if (!match) return undefined;
  const run = match[1]!;
  const char = run[0] as "`" | "~";
  // A backtick fence's info string cannot hold a backtick: "```x```" is inline code, not a fence.
  if (char === "`" && match[2]!.includes("`")) return undefined;
  return { char, length: run.length, column: consumed.length, inList };
}

type FenceStep = "content" | "close" | "end-of-item";

function fenceStep(line: string, fence: Fence): FenceStep {
  if (line.trim().length === 0) return "content";
  const columns = leadingColumns(line);
  if (fence.inList && columns < fence.column) return "end-of-item";
  // A closing fence may be indented up to 3 columns (relative to the list item's content).
  const relative = fence.inList ? columns - fence.column : columns;
  if (relative > 3) return "content";
  const match = /^(`{3,}|~{3,})[ \t]*$/.exec(line.trim());
  if (match && match[1]![0] === fence.char && match[1]!.length >= fence.length) return "close";
  return "content";
}

/** Lines that start another block, so they end a quote's lazy continuation. */
function startsBlock(trimmed: string): boolean {
  return (
    trimmed.length === 0 ||
    ATX_HEADING.test(trimmed) ||
    THEMATIC_BREAK.test(trimmed) ||
    LIST_MARKER.test(trimmed) ||
    trimmed.startsWith("<") ||
    openingFence(trimmed) !== undefined
  );
}

export function visibleLines(lines: readonly string[]): VisibleLine[] {
  const visible: VisibleLine[] = [];
  let fence: Fence | undefined;
  let rawHtmlClose: string | undefined;
  let inComment = false;
  let quoteParagraph = false;

  lines.forEach((raw, index) => {
    if (inComment) {
      if (raw.includes("-->")) inComment = false;
      return;
    }
    if (rawHtmlClose !== undefined) {
      if (raw.toLowerCase().includes(rawHtmlClose)) rawHtmlClose = undefined;
      return;
    }
    if (fence) {
      const step = fenceStep(raw, fence);
      if (step !== "end-of-item") {
        if (step === "close") fence = undefined;
        return;
      }
      // The list item (and the code in it) ended: this line is read afresh below.
      fence = undefined;
    }
    const trimmed = raw.trim();
    if (trimmed.length === 0) {
      quoteParagraph = false;
      return;
    }
    if (trimmed.startsWith("<!--")) {
      // An HTML comment block hides every line up to and including the one that closes it.
      quoteParagraph = false;
      if (!trimmed.slice(4).includes("-->")) inComment = true;
      return;
    }
    const rawHtml = RAW_HTML_OPEN.exec(trimmed);
    if (rawHtml) {
      quoteParagraph = false;
      const close = `</${rawHtml[1]!.toLowerCase()}>`;
      if (!trimmed.toLowerCase().includes(close)) rawHtmlClose = close;
      return;
    }
    if (/^ {0,3}>/.test(raw)) {
      const content = trimmed.replace(/^(?:>[ \t]?)+/, "").trim();
      quoteParagraph = !startsBlock(content);
      return;
    }
    const opened = openingFence(raw);
    if (opened) {
      quoteParagraph = false;
      fence = opened;
      return;
    }
    if (quoteParagraph) {
      // A plain line right after a quoted paragraph renders inside the quote.
      if (startsBlock(trimmed)) quoteParagraph = false;
      return;
    }
    const { text, opensComment } = withoutInlineComments(raw);
    if (opensComment) inComment = true;
    visible.push({ line: index + 1, text });
  });
  return visible;
}

/** Removes `<!-- ... -->` from a line; an unclosed one hides the rest of the line and what follows. */
function withoutInlineComments(line: string): { text: string; opensComment: boolean } {
  let text = "";
  let rest = line;
  for (;;) {
    const start = rest.indexOf("<!--");
    if (start < 0) return { text: text + rest, opensComment: false };
    text += rest.slice(0, start);
    const end = rest.indexOf("-->", start + 4);
    if (end < 0) return { text, opensComment: true };
    rest = rest.slice(end + 3);
  }
}
