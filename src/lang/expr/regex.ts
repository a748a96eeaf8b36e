/**
 * CEL's `matches()` has RE2 semantics (linear time, no backreferences). The CEL library runs it with
 * JavaScript's backtracking RegExp, where `^(\w|\d)+$` on 28 digits and a `!` takes seconds: flowgate
 * renames every `matches` call to `re2Matches` after parsing, which runs on re2js, a port of RE2.
 */

import type { ASTNode } from "@marcbachmann/cel-js";
import { RE2JS } from "re2js";

export const LINEAR_MATCHES = "re2Matches";

const compiled = new Map<string, RE2JS>();
const MAX_CACHED = 500;

function re2(pattern: string): RE2JS {
  let re = compiled.get(pattern);
  if (!re) {
    re = RE2JS.compile(pattern);
    if (compiled.size >= MAX_CACHED) compiled.clear();
    compiled.set(pattern, re);
  }
  return re;
}

/** Whether `text` contains a match of `pattern` (CEL: unanchored, like RE2's PartialMatch). */
export function linearMatches(text: string, pattern: string): boolean {
  return re2(pattern).matcher(text).find();
}

/** Why `pattern` is not a valid RE2 expression, or undefined when it is. */
export function re2SyntaxError(pattern: string): string | undefined {
  try {
    re2(pattern);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

type Node = ASTNode & { op: string; args: unknown };

/** Points every `matches` call of a parsed expression at the linear-time implementation. */
export function useLinearMatches(root: ASTNode): void {
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v);
      return;
    }
    if (!value || typeof value !== "object" || !("op" in value)) return;
    const node = value as Node;
    const args = node.args as unknown[];
    if ((node.op === "rcall" || node.op === "call") && Array.isArray(args) && args[0] === "matches") {
      args[0] = LINEAR_MATCHES;
    }
    visit(node.args);
  };
  visit(root);
}
