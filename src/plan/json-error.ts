/**
 * Where a JSON document breaks. `JSON.parse` on Node 20 often says only "Unexpected token" with
 * no position, so after it fails this scanner finds the first offending character. Iterative,
 * so deeply nested input cannot overflow the stack; linear in the input's size.
 */

type State = "value" | "valueOrClose" | "key" | "keyOrClose" | "colon" | "after";

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;
const ESCAPES = new Set(['"', "\\", "/", "b", "f", "n", "r", "t"]);

/** The end of the string starting at `start` (just past its closing quote), or the bad index as `{ bad }`. */
function scanString(text: string, start: number): number | { bad: number } {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c < 0x20) return { bad: i };
    if (c === 0x5c) {
      const next = text[i + 1];
      if (next === "u") {
        HEX4.lastIndex = i + 2;
        if (!HEX4.test(text)) return { bad: i };
        i += 6;
        continue;
      }
      if (next === undefined || !ESCAPES.has(next)) return { bad: i };
      i += 2;
      continue;
    }
    i++;
  }
  return { bad: text.length };
}

/** The end of a number or literal at `i`, or `undefined` when none starts there. */
function scanScalar(text: string, i: number): number | undefined {
  for (const word of ["true", "false", "null"]) if (text.startsWith(word, i)) return i + word.length;
  NUMBER.lastIndex = i;
  const m = NUMBER.exec(text);
  return m !== null && m[0].length > 0 ? i + m[0].length : undefined;
}

/** The index of the first character that makes `text` invalid JSON, or -1 when it is valid. */
export function jsonErrorPosition(text: string): number {
  const n = text.length;
  const stack: ("{" | "[")[] = [];
  let state: State = "value";
  let i = 0;
  for (;;) {
    while (i < n && " \t\n\r".includes(text[i] as string)) i++;
    if (i >= n) return state === "after" && stack.length === 0 ? -1 : n;
    const c = text[i];
    if (state === "valueOrClose" && c === "]") {
      stack.pop();
      i++;
      state = "after";
    } else if (state === "keyOrClose" && c === "}") {
      stack.pop();
      i++;
      state = "after";
    } else if (state === "value" || state === "valueOrClose") {
      if (c === "{" || c === "[") {
        stack.push(c);
        i++;
        state = c === "{" ? "keyOrClose" : "valueOrClose";
      } else if (c === '"') {
        const end = scanString(text, i);
        if (typeof end !== "number") return end.bad;
        i = end;
        state = "after";
      } else {
        const end = scanScalar(text, i);
        if (end === undefined) return i;
        i = end;
        state = "after";
      }
    } else if (state === "key" || state === "keyOrClose") {
      if (c !== '"') return i;
      const end = scanString(text, i);
      if (typeof end !== "number") return end.bad;
      i = end;
      state = "colon";
    } else if (state === "colon") {
      if (c !== ":") return i;
      i++;
      state = "value";
    } else {
      const top = stack[stack.length - 1];
      if (top === undefined) return i;
      if (c === ",") {
        i++;
        state = top === "{" ? "key" : "value";
      } else if ((c === "}" && top === "{") || (c === "]" && top === "[")) {
        stack.pop();
        i++;
      } else {
        return i;
      }
    }
  }
}

/** 1-based line and column of an index. */
export function lineAndColumn(text: string, index: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < index; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, col: index - lineStart + 1 };
}
