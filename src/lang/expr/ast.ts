/**
 * Walking a parsed CEL expression: the variables it reads (iteration variables shadow), comprehension macros, and
 * literal regular expressions that can be checked before anything runs.
 */
import type { ASTNode } from "@marcbachmann/cel-js";
import { LINEAR_MATCHES, re2SyntaxError } from "./regex.js";

/** Macros that run their body once per element of a list. */
const COMPREHENSIONS: ReadonlySet<string> = new Set(["all", "exists", "exists_one", "map", "filter"]);

export interface Comprehension {
  kind: string;
  range: ASTNode;
  variable: string;
  /** predicate, or (for map) the optional filter and the transform */
  body: ASTNode[];
}

/** `range.all(x, body)` and friends, or undefined for any other node. */
export function comprehensionOf(node: ASTNode): Comprehension | undefined {
  if (node.op !== "rcall") return undefined;
  const [kind, range, args] = node.args;
  if (!COMPREHENSIONS.has(kind)) return undefined;
  const [first, ...body] = args;
  if (first?.op !== "id") return undefined;
  if (body.length !== 1 && !(kind === "map" && body.length === 2)) return undefined;
  return { kind, range, variable: first.args, body };
}

export interface Binding {
  variable: string;
  value: ASTNode;
  body: ASTNode;
}

/** `cel.bind(x, value, body)`, or undefined. */
export function bindingOf(node: ASTNode): Binding | undefined {
  if (node.op !== "rcall") return undefined;
  const [name, receiver, args] = node.args;
  if (name !== "bind" || receiver.op !== "id" || receiver.args !== "cel") return undefined;
  const [variable, value, body] = args;
  if (variable?.op !== "id" || !value || !body || args.length !== 3) return undefined;
  return { variable: variable.args, value, body };
}

/** The direct sub-expressions of a node. */
export function childrenOf(node: ASTNode): ASTNode[] {
  switch (node.op) {
    case "value":
    case "id":
      return [];
    case ".":
    case ".?":
      return [node.args[0]];
    case "call":
      return node.args[1];
    case "rcall":
      return [node.args[1], ...node.args[2]];
    case "list":
      return node.args;
    case "map":
      return node.args.flat();
    case "?:":
      return [...node.args];
    case "!_":
    case "-_":
      return [node.args];
    default:
      return [...node.args];
  }
}

/** Names of `declared` variables the expression reads, sorted; a macro's own variable shadows a global. */
export function freeVariables(root: ASTNode, declared: ReadonlySet<string>): string[] {
  const found = new Set<string>();
  const visit = (node: ASTNode, bound: ReadonlySet<string>): void => {
    if (node.op === "id") {
      if (!bound.has(node.args) && declared.has(node.args)) found.add(node.args);
      return;
    }
    const loop = comprehensionOf(node);
    if (loop) {
      visit(loop.range, bound);
      const inner = new Set(bound).add(loop.variable);
      for (const part of loop.body) visit(part, inner);
      return;
    }
    const binding = bindingOf(node);
    if (binding) {
      visit(binding.value, bound);
      visit(binding.body, new Set(bound).add(binding.variable));
      return;
    }
    for (const child of childrenOf(node)) visit(child, bound);
  };
  visit(root, new Set());
  return [...found].sort();
}

/**
 * The first pattern given to `matches` that is refused, with the reason: one RE2 cannot compile (CEL's
 * syntax), or one that is not a literal (file names and labels come from PR authors, so the pattern
 * must be known when the policy is loaded). Matching itself runs in linear time (regex.ts).
 */
export function badLiteralPattern(root: ASTNode): string | undefined {
  const patterns: string[] = [];
  let dynamic = false;
  const visit = (node: ASTNode): void => {
    let arg: ASTNode | undefined;
    const isMatches = (name: unknown) => name === "matches" || name === LINEAR_MATCHES;
    if (node.op === "rcall" && isMatches(node.args[0])) arg = node.args[2][0];
    else if (node.op === "call" && isMatches(node.args[0])) arg = node.args[1][1];
    if (arg) {
      if (arg.op === "value" && typeof arg.args === "string") patterns.push(arg.args);
      else dynamic = true;
    }
    for (const child of childrenOf(node)) visit(child);
  };
  visit(root);
  if (dynamic) return "matches() takes only a literal pattern (a string written in the policy)";
  for (const pattern of patterns) {
    const error = re2SyntaxError(pattern);
    if (error) return `matches(${JSON.stringify(pattern)}): ${error} (CEL patterns use RE2 syntax)`;
  }
  return undefined;
}
