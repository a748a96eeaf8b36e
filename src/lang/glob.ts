import { Minimatch } from "minimatch";

export interface CompiledGlob {
  pattern: string;
  test(path: string): boolean;
  /** the leading path segments with no glob syntax: `infra/prod/` for `infra/prod/**` */
  literalPrefix: string;
}

const GLOB_SYNTAX = /[*?[\]{}!()+@]/;

/** The segments before the first one holding glob syntax, joined with a trailing slash (or ""). */
export function literalDirPrefix(pattern: string): string {
  const segments = pattern.split("/");
  const literal: string[] = [];
  for (const segment of segments.slice(0, -1)) {
    if (GLOB_SYNTAX.test(segment)) break;
    literal.push(segment);
  }
  return literal.length ? `${literal.join("/")}/` : "";
}

const compiled = new Map<string, CompiledGlob>();
const MAX_COMPILED = 20_000;

/**
 * minimatch semantics (dotfiles included), parsed once per pattern and kept: every event resolves
 * the same configuration's patterns again (issue 11).
 */
export function compileGlob(pattern: string): CompiledGlob {
  let glob = compiled.get(pattern);
  if (!glob) {
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    glob = compileOnce(pattern);
    compiled.set(pattern, glob);
  }
  return glob;
}

function compileOnce(pattern: string): CompiledGlob {
  const literalPrefix = literalDirPrefix(pattern);
  if (!GLOB_SYNTAX.test(pattern)) return { pattern, literalPrefix, test: (path) => path === pattern };
  // The common `dir/**` form is a prefix test; no need for the general matcher.
  if (pattern.endsWith("/**") && !GLOB_SYNTAX.test(pattern.slice(0, -3))) {
    const prefix = pattern.slice(0, -2);
    return { pattern, literalPrefix, test: (path) => path.startsWith(prefix) };
  }
  const matcher = new Minimatch(pattern, { dot: true });
  return { pattern, literalPrefix, test: (path) => matcher.match(path) };
}
