/**
 * Helpers for the readable plan text: one-line rendering of values (cut when long) and a writer
 * that stops adding lines once a size budget is spent, so a huge plan still yields a result.json
 * the app accepts.
 */
import { Placeholder } from "./redact.js";

/** Longest rendering of a single value, in characters. */
export const MAX_VALUE_CHARS = 200;
/** Default size of the whole text; the full plan stays in the workflow's log. */
export const DEFAULT_TEXT_BUDGET_BYTES = 1024 * 1024;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** An attribute or map key as HCL shows it: bare when it is an identifier, quoted otherwise. */
export function renderKey(key: string): string {
  return IDENTIFIER.test(key) ? key : JSON.stringify(key);
}

/**
 * A value on one line, HCL-like (`"text"`, `42`, `[1, 2]`, `{ a = 1 }`), placeholders shown bare,
 * cut with `…` past `max` characters. Values must already be redacted.
 */
export function renderValue(value: unknown, max = MAX_VALUE_CHARS): string {
  const out: string[] = [];
  let length = 0;
  // Stops descending once the budget is spent, so a megabyte-sized value costs little.
  const push = (s: string): boolean => {
    out.push(s);
    length += s.length;
    return length <= max;
  };
  const walk = (v: unknown): boolean => {
    if (v instanceof Placeholder) return push(v.label);
    if (v === null || v === undefined) return push("null");
    if (typeof v === "string") return push(JSON.stringify(v.length > max ? v.slice(0, max + 1) : v));
    if (typeof v === "number" || typeof v === "boolean") return push(String(v));
    if (Array.isArray(v)) {
      if (!push("[")) return false;
      for (const [i, item] of v.entries()) {
        if (i > 0 && !push(", ")) return false;
        if (!walk(item)) return false;
      }
      return push("]");
    }
    if (typeof v === "object") {
      const entries = Object.entries(v);
      if (entries.length === 0) return push("{}");
      if (!push("{ ")) return false;
      for (const [i, [k, item]] of entries.entries()) {
        if (i > 0 && !push(", ")) return false;
        if (!push(`${renderKey(k)} = `)) return false;
        if (!walk(item)) return false;
      }
      return push(" }");
    }
    return push(JSON.stringify(String(v)));
  };
  walk(value);
  const text = out.join("");
  return text.length <= max ? text : `${cutAt(text, max)}…`;
}

/** The first `max` characters, never splitting a surrogate pair. */
function cutAt(text: string, max: number): string {
  const code = text.charCodeAt(max - 1);
  return code >= 0xd800 && code <= 0xdbff ? text.slice(0, max - 1) : text.slice(0, max);
}

/** Collects lines until the budget is spent; `footer` lines are always kept. */
export class TextWriter {
  private readonly lines: string[] = [];
  private bytes = 0;
  private omitted = 0;

  constructor(private readonly budgetBytes = DEFAULT_TEXT_BUDGET_BYTES) {}

  /** Adds a block of lines whole, or not at all when it would pass the budget. */
  block(lines: readonly string[]): void {
    if (this.omitted > 0) {
      this.omitted++;
      return;
    }
    const size = lines.reduce((n, l) => n + Buffer.byteLength(l, "utf8") + 1, 0);
    if (this.bytes + size > this.budgetBytes) {
      this.omitted++;
      return;
    }
    this.lines.push(...lines);
    this.bytes += size;
  }

  /** The text, with a note when blocks were left out and the footer at the end. */
  finish(footer: readonly string[]): string {
    const note =
      this.omitted > 0
        ? [
            "",
            `(${this.omitted} more ${this.omitted === 1 ? "entry" : "entries"} not shown: the text is cut; the full plan is in the workflow run's log)`,
          ]
        : [];
    // Addresses and names come from the plan: keep stray control characters out of what people read.
    return [...this.lines, ...note, ...footer].join("\n").replace(CONTROL_CHARS, "\ufffd");
  }
}
