/**
 * CEL conditions of verification checks (issue #13): `http` conditions read `status` and `body` (the JSON
 * response), `prometheus` conditions read `result`. Type-checked when configuration loads, cost-bounded when
 * they run, like policy expressions (expressions.ts). A value the condition needs but the probe did not get
 * (a body that is not JSON) is an error that says so: a verification fails closed.
 */
import type { ParseResult } from "@marcbachmann/cel-js";
import type { Parsed } from "../config/types.js";
import { badLiteralPattern, freeVariables } from "../lang/expr/ast.js";
import { DEFAULT_MAX_COST, estimateCostOfShapes, type Shape } from "../lang/expr/cost.js";
import { MAX_EXPRESSION_LENGTH } from "../lang/expr/environment.js";
import { jsonDepth, MAX_JSON_DEPTH, shapeOfJson } from "../lang/expr/json-shape.js";
import {
  PROBE_VARIABLE_TYPES,
  type ProbeConditionKind,
  probeEnvironment,
} from "../lang/expr/probe-environment.js";
import { useLinearMatches } from "../lang/expr/regex.js";

export type { ProbeConditionKind } from "../lang/expr/probe-environment.js";

/** What a condition sees; a variable left out has no value (a body that was not JSON). */
export interface ProbeVars {
  status?: number;
  body?: unknown;
  result?: unknown;
}

export interface CompiledProbeCondition {
  kind: ProbeConditionKind;
  source: string;
  variables: readonly string[];
}

export type ProbeConditionOutcome = { ok: true; holds: boolean } | { ok: false; error: string };

interface Program {
  compiled: CompiledProbeCondition;
  run: ParseResult;
}

const MAX_CACHED_PROGRAMS = 500;
const programs = new Map<string, Parsed<Program>>();

/** The variables a condition of this kind may read, for messages. */
export function probeVariables(kind: ProbeConditionKind): string[] {
  return Object.keys(PROBE_VARIABLE_TYPES[kind]);
}

/** Parses and type-checks a condition of a check of this kind. */
export function compileProbeCondition(
  kind: ProbeConditionKind,
  source: string,
): Parsed<CompiledProbeCondition> {
  const program = programFor(kind, source);
  return program.ok ? { ok: true, value: program.value.compiled } : program;
}

/** Runs a compiled condition; refuses it unrun when its estimated cost for these values exceeds `maxCost`. */
export function evaluateProbeCondition(
  condition: CompiledProbeCondition,
  vars: ProbeVars,
  opts?: { maxCost?: number },
): ProbeConditionOutcome {
  const program = programFor(condition.kind, condition.source);
  if (!program.ok) return { ok: false, error: `the condition is invalid: ${program.error}` };
  const context: Record<string, unknown> = {};
  const shapes = new Map<string, Shape>();
  for (const name of program.value.compiled.variables) {
    const value = (vars as Record<string, unknown>)[name];
    if (value === undefined) return { ok: false, error: missingMessage(name) };
    if (jsonDepth(value) > MAX_JSON_DEPTH)
      return { ok: false, error: `${name} is nested more than ${MAX_JSON_DEPTH} levels deep` };
    if (name === "status") {
      if (typeof value !== "number" || !Number.isSafeInteger(value))
        return { ok: false, error: `status must be a whole number, got ${String(value)}` };
      context.status = BigInt(value);
    } else context[name] = value;
    shapes.set(name, shapeOfJson(value));
  }
  const maxCost = opts?.maxCost ?? DEFAULT_MAX_COST;
  const cost = estimateCostOfShapes(program.value.run.ast, shapes);
  if (!(cost <= maxCost)) {
    return {
      ok: false,
      error: `the condition's estimated cost (${Math.round(cost)}) exceeds the limit of ${maxCost} for this response`,
    };
  }
  let value: unknown;
  try {
    value = program.value.run(context);
  } catch (e) {
    return { ok: false, error: `the condition could not be evaluated: ${firstLine(e)}` };
  }
  if (typeof value !== "boolean")
    return { ok: false, error: `the condition gave ${describeType(value)}, not true or false` };
  return { ok: true, holds: value };
}

function missingMessage(name: string): string {
  if (name === "body") return "the condition reads body, but the response is not JSON";
  return `the condition reads ${name}, which the probe did not get`;
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "bigint" ? "a number" : `a ${typeof value}`;
}

function programFor(kind: ProbeConditionKind, source: string): Parsed<Program> {
  const key = `${kind}\0${source}`;
  let program = programs.get(key);
  if (!program) {
    program = compileProgram(kind, source);
    if (programs.size >= MAX_CACHED_PROGRAMS) programs.clear();
    programs.set(key, program);
  }
  return program;
}

function compileProgram(kind: ProbeConditionKind, source: string): Parsed<Program> {
  if (typeof source !== "string") return { ok: false, error: "a condition must be a string" };
  if (source.trim() === "") return { ok: false, error: "the condition is empty" };
  if (source.length > MAX_EXPRESSION_LENGTH) {
    return {
      ok: false,
      error: `the condition is ${source.length} characters long; the limit is ${MAX_EXPRESSION_LENGTH}`,
    };
  }
  const variables = probeVariables(kind);
  let run: ParseResult;
  try {
    run = probeEnvironment(kind).parse(source);
  } catch (e) {
    return { ok: false, error: describeCheckError(e, variables) };
  }
  useLinearMatches(run.ast);
  const checked = run.check();
  if (!checked.valid) return { ok: false, error: describeCheckError(checked.error, variables) };
  // `body.healthy` is dyn until it runs: accepted here, and it must give true or false then.
  if (checked.type !== "bool" && checked.type !== "dyn") {
    return {
      ok: false,
      error: `the condition must give true or false (bool), but it gives ${checked.type ?? "?"}`,
    };
  }
  const badPattern = badLiteralPattern(run.ast);
  if (badPattern) return { ok: false, error: `invalid regular expression in ${badPattern}` };
  const compiled: CompiledProbeCondition = Object.freeze({
    kind,
    source,
    variables: Object.freeze(freeVariables(run.ast, new Set(variables))),
  });
  return { ok: true, value: { compiled, run } };
}

interface CelError {
  code?: string;
  range?: { start: number };
}

function describeCheckError(e: unknown, variables: readonly string[]): string {
  const err = (e ?? {}) as CelError;
  const summary = firstLine(e);
  const where = err.range ? ` at column ${err.range.start + 1}` : "";
  if (err.code === "unknown_variable") {
    const name = /^Unknown variable: (\S+)/.exec(summary)?.[1] ?? summary;
    return `unknown variable "${name}"${where}; this condition may read ${variables.join(", ")}`;
  }
  return `${summary}${where}`;
}

function firstLine(e: unknown): string {
  const err = (e ?? {}) as { summary?: string; message?: string };
  const text = err.summary ?? err.message ?? String(e);
  return text.split("\n")[0] ?? text;
}
