import {
  type CompiledExpression,
  compileExpression,
  type ExprVars,
  evaluateBool,
} from "../../lang/expressions.js";
import type { Parsed } from "../../model/parsed.js";

export type ConditionOutcome =
  | { kind: "value"; holds: boolean; readsPlan: boolean }
  | { kind: "error"; message: string };

const MAX_CACHED = 5_000;
const cache = new Map<string, Parsed<CompiledExpression>>();

/** Compiling CEL is far slower than evaluating it; policies repeat the same few expressions. */
export function compileCached(source: string): Parsed<CompiledExpression> {
  const cached = cache.get(source);
  if (cached) return cached;
  if (cache.size >= MAX_CACHED) cache.clear();
  const compiled = compileExpression(source);
  cache.set(source, compiled);
  return compiled;
}

/** A condition holds only when it evaluates to true; a variable with no value yet makes it false (SPEC §2.2). */
export function evaluateCondition(source: string, vars: ExprVars): ConditionOutcome {
  const compiled = compileCached(source);
  if (!compiled.ok)
    return { kind: "error", message: `expression "${source}" does not compile: ${compiled.error}` };
  const outcome = evaluateBool(compiled.value, vars);
  if (outcome.kind === "error")
    return { kind: "error", message: `expression "${source}": ${outcome.message}` };
  return {
    kind: "value",
    holds: outcome.kind === "value" && outcome.value,
    readsPlan: compiled.value.readsPlan,
  };
}
