/**
 * CEL expressions of policies (`if`, `when`; SPEC §2.2): type-checked when configuration loads, cost-bounded when
 * they run. A variable without a value yet (no plan has run) is reported as missing, which callers count as false.
 */
import type { ParseResult } from "@marcbachmann/cel-js";
import type { Parsed } from "../model/parsed.js";
import { badLiteralPattern, freeVariables } from "./expr/ast.js";
import { toCelContext } from "./expr/context.js";
import { DEFAULT_MAX_COST, estimateCost } from "./expr/cost.js";
import {
  celEnvironment,
  MAX_AST_NODES,
  MAX_DEPTH,
  MAX_EXPRESSION_LENGTH,
  VARIABLE_TYPES,
} from "./expr/environment.js";
import { useLinearMatches } from "./expr/regex.js";
import type { ExprVars, PlanVar, Risk } from "./expr/types.js";

export { DEFAULT_MAX_COST } from "./expr/cost.js";
export { MAX_EXPRESSION_LENGTH } from "./expr/environment.js";
export type { ExprVars, PlanResourceVar, PlanVar, Risk } from "./expr/types.js";

/** Variables that have a value only once a plan has run. */
export const PLAN_VARIABLES: readonly string[] = ["plan", "estimatedCost", "risk"];

/** Every variable an expression may read. */
export const EXPRESSION_VARIABLES: readonly string[] = Object.keys(VARIABLE_TYPES);

export interface CompiledExpression {
  source: string;
  /** reads `plan`, `estimatedCost` or `risk`, so it cannot decide anything before the plan */
  readsPlan: boolean;
  /** the variables it reads, sorted */
  variables: readonly string[];
}

export type ExprOutcome =
  | { kind: "value"; value: boolean }
  | { kind: "missing"; variable: string }
  | { kind: "error"; message: string };

interface Program {
  compiled: CompiledExpression;
  run: ParseResult;
}

const DECLARED: ReadonlySet<string> = new Set(EXPRESSION_VARIABLES);
const MAX_CACHED_PROGRAMS = 2000;
// Policies are evaluated for every stack and event with the same few sources: parse and check each once.
const programs = new Map<string, Parsed<Program>>();

/** Parses and type-checks an expression; it must be boolean and read only known variables and fields. */
export function compileExpression(source: string): Parsed<CompiledExpression> {
  const program = programFor(source);
  return program.ok ? { ok: true, value: program.value.compiled } : program;
}

/**
 * Evaluates a compiled expression against `vars`. Refuses, without running it, an expression whose estimated cost
 * for these inputs exceeds `maxCost` (default 1,000,000).
 */
export function evaluateBool(
  expr: CompiledExpression,
  vars: ExprVars,
  opts?: { maxCost?: number },
): ExprOutcome {
  try {
    return evaluateProgram(expr, vars, opts?.maxCost ?? DEFAULT_MAX_COST);
  } catch (e) {
    // Inputs that do not have the declared shape (a plan without `resources`) end here, as a value.
    return { kind: "error", message: `the expression could not be evaluated: ${summaryOf(e)}` };
  }
}

function evaluateProgram(expr: CompiledExpression, vars: ExprVars, maxCost: number): ExprOutcome {
  const program = programFor(expr.source);
  if (!program.ok) return { kind: "error", message: `the expression is invalid: ${program.error}` };
  // `risk` follows from the plan (SPEC §2.2) whenever a plan is there and no caller set it.
  const withRisk = vars.risk === undefined && vars.plan ? { ...vars, risk: riskOf(vars.plan) } : vars;
  // Only what the expression reads is measured and converted: a 10,000-resource plan costs nothing to `pr.*`.
  const used = pick(withRisk, program.value.compiled.variables);
  const cost = estimateCost(program.value.run.ast, used);
  if (!(cost <= maxCost)) {
    return {
      kind: "error",
      message:
        `the expression's estimated cost (${formatCost(cost)}) exceeds the cost limit of ${formatCost(maxCost)} ` +
        "for these inputs: all/exists/exists_one/map/filter nested over large lists multiply",
    };
  }
  const context = toCelContext(used);
  if (!context.ok) return { kind: "error", message: context.error };
  let value: unknown;
  try {
    value = program.value.run(context.value);
  } catch (e) {
    const variable = unknownVariable(e);
    if (variable !== undefined) return { kind: "missing", variable };
    return { kind: "error", message: summaryOf(e) };
  }
  if (typeof value !== "boolean")
    return { kind: "error", message: `the expression gave ${typeof value}, not true or false` };
  return { kind: "value", value };
}

function pick(vars: ExprVars, names: readonly string[]): ExprVars {
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const value = (vars as Record<string, unknown>)[name];
    if (value !== undefined) out[name] = value;
  }
  return out as ExprVars;
}

/** `high` when anything is destroyed or replaced, `medium` when anything is added or changed, else `low`. */
export function riskOf(plan: Pick<PlanVar, "add" | "change" | "destroy" | "replace">): Risk {
  if (plan.destroy > 0 || plan.replace > 0) return "high";
  if (plan.add > 0 || plan.change > 0) return "medium";
  return "low";
}

function programFor(source: string): Parsed<Program> {
  let program = programs.get(source);
  if (!program) {
    program = compileProgram(source);
    if (programs.size >= MAX_CACHED_PROGRAMS) programs.clear();
    programs.set(source, program);
  }
  return program;
}

function compileProgram(source: string): Parsed<Program> {
  if (typeof source !== "string") return { ok: false, error: "an expression must be a string" };
  if (source.trim() === "") return { ok: false, error: "the expression is empty" };
  if (source.length > MAX_EXPRESSION_LENGTH) {
    return {
      ok: false,
      error: `the expression is ${source.length} characters long; the limit is ${MAX_EXPRESSION_LENGTH}`,
    };
  }
  let run: ParseResult;
  try {
    run = celEnvironment().parse(source);
  } catch (e) {
    return { ok: false, error: describeCheckError(e) };
  }
  useLinearMatches(run.ast);
  const checked = run.check();
  if (!checked.valid) return { ok: false, error: describeCheckError(checked.error) };
  if (checked.type !== "bool") {
    return {
      ok: false,
      error: `the expression must give true or false (bool), but it gives ${checked.type ?? "?"}`,
    };
  }
  const badPattern = badLiteralPattern(run.ast);
  if (badPattern) return { ok: false, error: `invalid regular expression in ${badPattern}` };
  const variables = freeVariables(run.ast, DECLARED);
  // Shared by every caller through the cache: frozen so that nobody can change it for the others.
  const compiled: CompiledExpression = Object.freeze({
    source,
    readsPlan: variables.some((v) => PLAN_VARIABLES.includes(v)),
    variables: Object.freeze(variables),
  });
  return { ok: true, value: { compiled, run } };
}

interface CelError {
  code?: string;
  summary?: string;
  message?: string;
  range?: { start: number; end: number };
}

/** A message for a parse or type error: what is wrong and where (1-based column). */
function describeCheckError(e: unknown): string {
  const err = (e ?? {}) as CelError;
  const summary = summaryOf(e);
  const where = err.range ? ` at column ${err.range.start + 1}` : "";
  switch (err.code) {
    case "unknown_variable": {
      const name = /^Unknown variable: (\S+)/.exec(summary)?.[1] ?? summary;
      return `unknown variable "${name}"${where}; the variables are ${EXPRESSION_VARIABLES.join(", ")}`;
    }
    case "no_such_key": {
      const name = /^No such key: (\S+)/.exec(summary)?.[1] ?? summary;
      return `unknown field "${name}"${where}`;
    }
    case "limit_exceeded":
      if (summary.includes("maxAstNodes"))
        return `the expression is too large (more than ${MAX_AST_NODES} parts)`;
      if (summary.includes("maxDepth"))
        return `the expression is nested too deeply (more than ${MAX_DEPTH} levels)`;
      return `the expression is too large: ${summary}`;
    default:
      return `${summary}${where}`;
  }
}

function summaryOf(e: unknown): string {
  const err = (e ?? {}) as CelError;
  const text = err.summary ?? err.message ?? String(e);
  // cel-js messages carry a source excerpt after the first line; the first line says what is wrong.
  return text.split("\n")[0] ?? text;
}

/** The variable named by cel-js's "Unknown variable: plan" evaluation error, if that is what `e` is. */
function unknownVariable(e: unknown): string | undefined {
  const err = (e ?? {}) as CelError;
  if (err.code !== "unknown_variable") return undefined;
  const name = /^Unknown variable: (\S+)/.exec(summaryOf(e))?.[1];
  return name !== undefined && DECLARED.has(name) ? name : undefined;
}

function formatCost(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "unbounded";
}
