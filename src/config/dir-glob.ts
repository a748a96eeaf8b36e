/**
 * Directory globs of stack generators (`infra/*\/*`), with one capture per wildcard so templates can use `{1}`,
 * `{2}`, ... Supports `*`, `**` (any number of directories), `?`, `[...]` and `{a,b}`. Like minimatch, wildcards do
 * not match names that start with a dot.
 */
import type { Parsed } from "../model/parsed.js";

export interface DirGlob {
  /** how many `*` and `**` the glob has: the highest `{n}` a template may use */
  wildcards: number;
  /** the captured parts for a matching directory (index 0 is `{1}`), or undefined */
  match(dir: string): string[] | undefined;
}

interface Piece {
  source: string;
  wildcards: number;
}

const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|/]/g;

function escapeLiteral(text: string): string {
  return text.replace(REGEX_SPECIAL, "\\$&");
}

/** Index of the `}` closing the `{` at `start`, or -1. */
function closingBrace(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") i++;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i;
  }
  return -1;
}

/** Splits the inside of `{...}` at its top-level commas. */
function alternatives(inner: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = "";
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (c === "\\") {
      current += c + (inner[i + 1] ?? "");
      i++;
      continue;
    }
    if (c === "{") depth++;
    if (c === "}") depth--;
    if (c === "," && depth === 0) {
      out.push(current);
      current = "";
    } else current += c;
  }
  out.push(current);
  return out;
}

/** One path segment (no `/`) to a regular expression. */
function segmentSource(segment: string): Piece {
  let source = "";
  let wildcards = 0;
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === "\\") {
      source += escapeLiteral(segment[i + 1] ?? "\\");
      i++;
    } else if (c === "*") {
      while (segment[i + 1] === "*") i++;
      source += "([^/]*)";
      wildcards++;
    } else if (c === "?") {
      source += "[^/]";
    } else if (c === "[") {
      const end = segment.indexOf("]", i + 2);
      if (end === -1) {
        source += "\\[";
        continue;
      }
      let inner = segment.slice(i + 1, end);
      const negate = inner.startsWith("!") || inner.startsWith("^");
      if (negate) inner = inner.slice(1);
      source += `[${negate ? "^/" : ""}${inner.replace(/[\\[\]^]/g, "\\$&")}]`;
      i = end;
    } else if (c === "{") {
      const end = closingBrace(segment, i);
      const options = end === -1 ? [] : alternatives(segment.slice(i + 1, end));
      if (options.length < 2) {
        source += "\\{";
        continue;
      }
      const translated = options.map(segmentSource);
      source += `(?:${translated.map((t) => t.source).join("|")})`;
      wildcards += translated.reduce((n, t) => n + t.wildcards, 0);
      i = end;
    } else {
      source += escapeLiteral(c);
    }
  }
  // Wildcards do not match hidden directories (`.terraform`), as in minimatch.
  const literalStart = segment[0] !== undefined && !"*?[{\\".includes(segment[0]);
  return { source: literalStart ? source : `(?!\\.)${source}`, wildcards };
}

/** Compiles a directory glob; an error value for globs that cannot name a directory. */
export function compileDirGlob(glob: string): Parsed<DirGlob> {
  const trimmed = glob.replace(/\/+$/, "");
  if (trimmed === "" || trimmed.startsWith("/")) {
    return {
      ok: false,
      error: `"${glob}" must be a glob relative to the repository root, such as "infra/*/*"`,
    };
  }
  const segments = trimmed.split("/");
  if (segments.some((s) => s === "" || s === "..")) {
    return { ok: false, error: `"${glob}" has an empty or ".." segment` };
  }
  let source = "^";
  let wildcards = 0;
  let needSlash = false;
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === "**") {
      wildcards++;
      const name = "[^/.][^/]*";
      if (last) source += needSlash ? `((?:/${name})*)` : `((?:${name}(?:/${name})*)?)`;
      else {
        if (needSlash) source += "/";
        source += `((?:${name}/)*)`;
        needSlash = false;
      }
      return;
    }
    const piece = segmentSource(segment);
    if (needSlash) source += "/";
    source += piece.source;
    wildcards += piece.wildcards;
    needSlash = true;
  });
  let regex: RegExp;
  try {
    regex = new RegExp(`${source}$`);
  } catch {
    return { ok: false, error: `"${glob}" is not a glob flowgate can read` };
  }
  return {
    ok: true,
    value: {
      wildcards,
      match(dir) {
        const m = regex.exec(dir);
        if (!m) return undefined;
        return m.slice(1).map((part) => (part ?? "").replace(/^\/+|\/+$/g, ""));
      },
    },
  };
}
