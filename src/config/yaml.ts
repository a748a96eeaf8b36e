/**
 * Reading YAML that anyone with write access to a repository can write, without letting it crash or stall the app
 * (SPEC §7): size, document count, nesting depth, aliases and tags are bounded before anything is built, and every
 * problem becomes a diagnostic with a line and column.
 */

import type { CST } from "yaml";
import { Composer, type Document, isMap, isScalar, isSeq, LineCounter, Parser, type YAMLError } from "yaml";
import { compareDiagnostics, fileDiagnostic } from "./diagnostics.js";
import type { Diagnostic, NodePath, Position } from "./types.js";

export interface YamlLimits {
  maxFileBytes: number;
  /** documents per file */
  maxDocuments: number;
  /** nested mappings and lists */
  maxDepth: number;
  /** alias nodes (`*name`) per document; expansion is bounded separately */
  maxAliases: number;
}

export const DEFAULT_YAML_LIMITS: YamlLimits = {
  maxFileBytes: 1024 * 1024,
  maxDocuments: 500,
  maxDepth: 64,
  maxAliases: 100,
};

export interface YamlDocument {
  /** 0-based index inside the file */
  index: number;
  /** the document as plain data; undefined when it could not be read (the reason is in the file's diagnostics) */
  value: unknown;
  /** position of the value at `path`, falling back to the nearest ancestor that exists, then the document start */
  pos(path: NodePath): Position;
  /** position of the key that holds `path` (for "unknown field"); falls back like `pos` */
  keyPos(path: NodePath): Position;
}

export interface YamlFile {
  documents: YamlDocument[];
  diagnostics: Diagnostic[];
}

// Tags that change nothing about plain data. Anything else (`!!js/function`, `!!binary`, `!foo`) is refused.
const ALLOWED_TAGS = new Set(["!", "!!str", "!!int", "!!float", "!!bool", "!!null", "!!map", "!!seq"]);

/** Index of the first C0 control other than tab, LF and CR, or DEL: not printable YAML, a sign of a binary file. */
function controlCharacterIndex(content: string): number {
  for (let i = 0; i < content.length; i++) {
    const code = content.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f) return i;
  }
  return -1;
}
const COLLECTIONS = new Set(["block-map", "block-seq", "flow-collection"]);
const KEY_TEXT = /^(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'|[^:#\n]*)/;

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KiB`;
  const value = bytes / (1024 * 1024);
  return `${value >= 10 ? Math.round(value) : Math.round(value * 10) / 10} MiB`;
}

/** Shown for a file refused before reading because of its size. */
export function tooLargeMessage(bytes: number, limit: number): string {
  return `file is ${size(bytes)}, over the ${size(limit)} limit; not read`;
}

function positionOfIndex(content: string, index: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = content.indexOf("\n"); i !== -1 && i < index; i = content.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, col: index - lineStart + 1 };
}

/** Parses a multi-document YAML file. Never throws; never builds anything from a file over the limits. */
export function parseYamlFile(
  file: string,
  content: string,
  limits: YamlLimits = DEFAULT_YAML_LIMITS,
): YamlFile {
  const diagnostics: Diagnostic[] = [];
  const bytes = Buffer.byteLength(content, "utf8");
  if (bytes > limits.maxFileBytes) {
    diagnostics.push(fileDiagnostic(file, "error", tooLargeMessage(bytes, limits.maxFileBytes)));
    return { documents: [], diagnostics };
  }
  const control = controlCharacterIndex(content);
  if (control !== -1) {
    const code = content.charCodeAt(control).toString(16).toUpperCase().padStart(4, "0");
    const message = `file contains the control character U+${code}; is it a binary file? not read`;
    diagnostics.push(fileDiagnostic(file, "error", message, positionOfIndex(content, control)));
    return { documents: [], diagnostics };
  }

  const lineCounter = new LineCounter();
  const at = (offset: number): Position => lineCounter.linePos(Math.max(0, Math.min(offset, content.length)));
  // The CST parser keeps its own stack, so even 100,000 nested brackets cost no recursion.
  const tokens = [...new Parser(lineCounter.addNewLine).parse(content)];
  const documentTokens = tokens.filter((t): t is CST.Document => t.type === "document");
  if (documentTokens.length > limits.maxDocuments) {
    const first = documentTokens[limits.maxDocuments];
    const message = `file has ${documentTokens.length} documents, over the limit of ${limits.maxDocuments}; not read`;
    diagnostics.push(fileDiagnostic(file, "error", message, at(first?.offset ?? 0)));
    return { documents: [], diagnostics };
  }

  // Documents the composer must not see: composing recurses once per nesting level.
  const refused = new Set<CST.Document>();
  const quotes: QuotedStrings = new Map();
  for (const token of documentTokens) {
    const problems = scanDocument(token, limits, quotes);
    for (const p of problems) diagnostics.push(fileDiagnostic(file, "error", p.message, at(p.offset)));
    if (problems.length > 0) {
      refused.add(token);
      token.value = undefined;
    }
  }

  const composer = new Composer({
    version: "1.2",
    schema: "core",
    uniqueKeys: true,
    prettyErrors: false,
    merge: false,
  });
  const composed = [...composer.compose(tokens, false, content.length)];
  for (const e of composer.streamInfo().errors)
    diagnostics.push(yamlErrorDiagnostic(file, e, content, at, quotes));

  const documents: YamlDocument[] = [];
  composed.forEach((doc, index) => {
    const token = documentTokens[index];
    let readable = token === undefined || !refused.has(token);
    // A syntax error usually sets off more down the document: show the first, and every duplicate key.
    const errors = doc.errors.map((e) => yamlErrorDiagnostic(file, e, content, at, quotes));
    const syntax = errors.filter((_, i) => doc.errors[i]?.code !== "DUPLICATE_KEY").sort(compareDiagnostics);
    const duplicates = errors.filter((_, i) => doc.errors[i]?.code === "DUPLICATE_KEY");
    diagnostics.push(...duplicates, ...syntax.slice(0, 1));
    if (errors.length > 0) readable = false;
    for (const w of doc.warnings) {
      // Unknown tags are refused by the scan above, with a better message.
      if (w.code === "TAG_RESOLVE_FAILED") continue;
      diagnostics.push({ ...yamlErrorDiagnostic(file, w, content, at, quotes), severity: "warning" });
    }
    let value: unknown;
    if (readable) {
      try {
        value = doc.toJS({ maxAliasCount: limits.maxAliases });
      } catch {
        const message = "aliases expand to too much data (an alias bomb?); document not read";
        diagnostics.push(fileDiagnostic(file, "error", message, at(documentStart(doc))));
        value = undefined;
      }
    }
    documents.push({
      index,
      value,
      pos: (path) => at(nodeOffset(doc, path, false)),
      keyPos: (path) => at(nodeOffset(doc, path, true)),
    });
  });
  return { documents, diagnostics };
}

interface ScanProblem {
  offset: number;
  message: string;
}

/** Quoted strings by the offset where they end: an unclosed quote is reported at its opening, not at the file's end. */
type QuotedStrings = Map<number, number>;

/** Depth, tags, alias count and collection keys of one document, read from the CST without recursion. */
function scanDocument(doc: CST.Document, limits: YamlLimits, quotes: QuotedStrings): ScanProblem[] {
  const problems: ScanProblem[] = [];
  let aliases = 0;
  const stack: { node: unknown; depth: number }[] = [{ node: doc, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (Array.isArray(node)) {
      for (const child of node) stack.push({ node: child, depth });
      continue;
    }
    if (typeof node !== "object" || node === null) continue;
    const token = node as { type?: unknown; offset?: unknown; source?: unknown };
    const offset = typeof token.offset === "number" ? token.offset : 0;
    let childDepth = depth;
    if (typeof token.type === "string" && COLLECTIONS.has(token.type)) {
      childDepth = depth + 1;
      if (childDepth > limits.maxDepth) {
        problems.push({
          offset,
          message: `nesting is deeper than ${limits.maxDepth} levels; document not read`,
        });
        return problems;
      }
    }
    if (
      (token.type === "double-quoted-scalar" || token.type === "single-quoted-scalar") &&
      typeof token.source === "string"
    ) {
      quotes.set(offset + token.source.length, offset);
    }
    if (token.type === "tag" && typeof token.source === "string" && !ALLOWED_TAGS.has(token.source)) {
      const tag = token.source.length > 40 ? `${token.source.slice(0, 40)}...` : token.source;
      problems.push({ offset, message: `tag "${tag}" is not allowed: flowgate reads plain YAML only` });
    }
    if (token.type === "alias" && ++aliases === limits.maxAliases + 1) {
      problems.push({
        offset,
        message: `more than ${limits.maxAliases} aliases in one document; document not read`,
      });
    }
    for (const [field, child] of Object.entries(node)) {
      if (field === "key" && isCollectionOrAlias(child)) {
        problems.push({
          offset: (child as { offset: number }).offset,
          message: "keys must be plain text, not lists, mappings or aliases",
        });
      }
      if (typeof child === "object" && child !== null) stack.push({ node: child, depth: childDepth });
    }
  }
  return problems.sort((a, b) => a.offset - b.offset);
}

function isCollectionOrAlias(token: unknown): boolean {
  if (typeof token !== "object" || token === null) return false;
  const type = (token as { type?: unknown }).type;
  return typeof type === "string" && (COLLECTIONS.has(type) || type === "alias");
}

function yamlErrorDiagnostic(
  file: string,
  error: YAMLError,
  content: string,
  at: (offset: number) => Position,
  quotes: QuotedStrings,
): Diagnostic {
  let [start] = error.pos;
  let message = error.message;
  const opening = quotes.get(start);
  if (error.code === "MISSING_CHAR" && message.includes("quote") && opening !== undefined) {
    start = opening;
    message = "this quoted string is never closed";
  }
  if (error.code === "DUPLICATE_KEY") {
    // The error marks only the key's first character; read the key itself (plain or quoted) from the source.
    const key = KEY_TEXT.exec(content.slice(start, start + 200))?.[0]?.trim() ?? "";
    message = key
      ? `duplicate key ${key.startsWith('"') || key.startsWith("'") ? key : `"${key}"`}`
      : "duplicate key";
  } else if (error.code === "RESOURCE_EXHAUSTION") {
    message = "document too complex to read";
  }
  return fileDiagnostic(file, "error", message, at(start));
}

function documentStart(doc: Document.Parsed): number {
  return doc.contents?.range?.[0] ?? doc.range[0];
}

/**
 * Walks `path` through the document's nodes. Stops at the deepest node that exists; for a missing or empty value,
 * the key that names it is the best place to point at.
 */
function nodeOffset(doc: Document.Parsed, path: NodePath, wantKey: boolean): number {
  let offset = documentStart(doc);
  let node: unknown = doc.contents;
  for (const [i, segment] of path.entries()) {
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) return offset;
      const keyOffset = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
      if (keyOffset !== undefined) offset = keyOffset;
      if (last && wantKey) return offset;
      node = pair.value;
      const range = (node as { range?: [number, number, number] } | null)?.range;
      const empty = isScalar(node) && node.value === null && range !== undefined && range[0] === range[1];
      if (!range || empty) return offset;
      offset = range[0];
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment];
      const range = (item as { range?: [number, number, number] } | null | undefined)?.range;
      if (!range) return offset;
      offset = range[0];
      node = item;
    } else {
      return offset;
    }
  }
  return offset;
}
