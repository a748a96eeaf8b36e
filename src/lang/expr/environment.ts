/**
 * The one CEL environment every expression is checked and run in: the variables of SPEC §2.2 with their types,
 * and parse-time structural limits. Building it is expensive, so it is built once, on first use.
 */
import { Environment } from "@marcbachmann/cel-js";
import { LINEAR_MATCHES, linearMatches } from "./regex.js";
import type { ExprVarName } from "./types.js";

/** Longest expression accepted, in characters. */
export const MAX_EXPRESSION_LENGTH = 4096;
export const MAX_AST_NODES = 1000;
export const MAX_DEPTH = 32;

/** CEL type of each variable; plan counts are `int`, so they reach CEL as bigint. */
export const VARIABLE_TYPES: Readonly<Record<ExprVarName, string>> = {
  plan: "Plan",
  estimatedCost: "double",
  risk: "string",
  stack: "Stack",
  environment: "string",
  files: "list<string>",
  triggeredBy: "TriggeredBy",
  pr: "PullRequest",
};

let environment: Environment | undefined;

export function celEnvironment(): Environment {
  environment ??= build();
  return environment;
}

function build(): Environment {
  let env = new Environment({
    limits: {
      maxAstNodes: MAX_AST_NODES,
      maxDepth: MAX_DEPTH,
      maxListElements: 256,
      maxMapEntries: 256,
      maxCallArguments: 8,
    },
  })
    .registerType("PlanResource", {
      fields: { address: "string", type: "string", action: "string", changedAttributes: "list<string>" },
    })
    .registerType("Plan", {
      fields: { add: "int", change: "int", destroy: "int", replace: "int", resources: "list<PlanResource>" },
    })
    .registerType("Stack", { fields: { name: "string", kind: "string" } })
    .registerType("TriggeredBy", { fields: { login: "string", type: "string" } })
    .registerType("PullRequest", { fields: { author: "string", labels: "list<string>", baseRef: "string" } });
  for (const [name, type] of Object.entries(VARIABLE_TYPES)) env = env.registerVariable(name, type);
  // `matches` is renamed to this after parsing (regex.ts): RE2 semantics in linear time.
  env = env
    .registerFunction(`string.${LINEAR_MATCHES}(string): bool`, (text: string, pattern: string) =>
      linearMatches(text, pattern),
    )
    .registerFunction(`${LINEAR_MATCHES}(string, string): bool`, (text: string, pattern: string) =>
      linearMatches(text, pattern),
    );
  return env;
}
