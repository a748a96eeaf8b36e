/**
 * The CEL environments of verification conditions (issue #13): an `http` check sees `status` and `body`, a
 * `prometheus` check sees `result`. Same structural limits and linear-time `matches` as policy expressions.
 */
import { Environment } from "@marcbachmann/cel-js";
import { MAX_AST_NODES, MAX_DEPTH } from "./environment.js";
import { LINEAR_MATCHES, linearMatches } from "./regex.js";

export type ProbeConditionKind = "http" | "prometheus";

/** CEL type of each variable a condition of that kind may read. */
export const PROBE_VARIABLE_TYPES: Readonly<Record<ProbeConditionKind, Readonly<Record<string, string>>>> = {
  http: { status: "int", body: "dyn" },
  prometheus: { result: "dyn" },
};

const environments = new Map<ProbeConditionKind, Environment>();

export function probeEnvironment(kind: ProbeConditionKind): Environment {
  let env = environments.get(kind);
  if (!env) {
    env = build(kind);
    environments.set(kind, env);
  }
  return env;
}

function build(kind: ProbeConditionKind): Environment {
  let env = new Environment({
    limits: {
      maxAstNodes: MAX_AST_NODES,
      maxDepth: MAX_DEPTH,
      maxListElements: 256,
      maxMapEntries: 256,
      maxCallArguments: 8,
    },
  });
  for (const [name, type] of Object.entries(PROBE_VARIABLE_TYPES[kind]))
    env = env.registerVariable(name, type);
  return env
    .registerFunction(`string.${LINEAR_MATCHES}(string): bool`, (text: string, pattern: string) =>
      linearMatches(text, pattern),
    )
    .registerFunction(`${LINEAR_MATCHES}(string, string): bool`, (text: string, pattern: string) =>
      linearMatches(text, pattern),
    );
}
