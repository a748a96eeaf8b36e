/**
 * Findings that need each stack's resolved policy (issue #13): environments that wait for themselves or for each
 * other in a cycle, and stacks of one environment whose rollouts differ (their waves cannot be planned together).
 */

import { diagnosticAt, fileDiagnostic } from "../config/diagnostics.js";
import type { Diagnostic, NodePath, Policy, Stack } from "../config/types.js";
import { progressionCycle } from "../engine/progression.js";
import { buildPolicyIndex, describeProvenance, type Resolution, resolveStack } from "../engine/resolve.js";

type Field = "progression" | "rollout";

function setsAny(policies: readonly Policy[], field: Field): boolean {
  return policies.some(
    (p) =>
      p.flowControl[field] !== undefined ||
      p.flowControl.conditions?.some((c) => c.then[field] !== undefined) ||
      p.flowControl.schedule?.some((s) => s.policy[field] !== undefined),
  );
}

/** At the field in the policy that set it when set directly; else at the line its provenance names. */
function at(
  policies: readonly Policy[],
  r: Resolution,
  field: Field,
  inner: NodePath,
  message: string,
): Diagnostic {
  const p = r.provenance[field];
  const policy = policies.find((q) => q.name === p.policy && q.origin.file === p.file);
  if (policy && p.via === "policy")
    return diagnosticAt(policy.origin, ["spec", "flowControl", field, ...inner], "error", message);
  return fileDiagnostic(p.file, "error", message, { line: Math.max(1, p.line), col: 1 });
}

function cycleFindings(policies: readonly Policy[], resolutions: readonly Resolution[]): Diagnostic[] {
  const found: Diagnostic[] = [];
  const after = new Map<string, string[]>();
  const setter = new Map<string, Resolution>();
  for (const r of resolutions) {
    const own = r.stack.environment;
    const list = after.get(own) ?? [];
    r.flow.progression.after.forEach((env, i) => {
      if (env === own) {
        const message = `environment ${own} cannot wait for itself (stack ${r.stack.name})`;
        found.push(at(policies, r, "progression", ["after", i], message));
      } else if (!list.includes(env)) list.push(env);
    });
    after.set(own, list);
    if (list.length > 0 && !setter.has(own)) setter.set(own, r);
  }
  const cycle = progressionCycle(after);
  if (cycle) {
    const first = setter.get(cycle[0]!)!;
    const message = `environments wait for each other in a cycle (${cycle.join(" → ")}), so none of them would ever apply; set by ${describeProvenance(first.provenance.progression)}`;
    found.push(at(policies, first, "progression", ["after"], message));
  }
  return found;
}

function rolloutFindings(policies: readonly Policy[], resolutions: readonly Resolution[]): Diagnostic[] {
  const byEnvironment = new Map<string, Map<string, Resolution>>();
  for (const r of resolutions) {
    const distinct = byEnvironment.get(r.stack.environment) ?? new Map<string, Resolution>();
    const key = JSON.stringify(r.flow.rollout.waves);
    if (!distinct.has(key)) distinct.set(key, r);
    byEnvironment.set(r.stack.environment, distinct);
  }
  const found: Diagnostic[] = [];
  for (const [environment, distinct] of byEnvironment) {
    if (distinct.size < 2) continue;
    const list = [...distinct.values()];
    const parts = list.map(
      (r) =>
        `[${r.flow.rollout.waves.join(", ")}] for ${r.stack.name} (${describeProvenance(r.provenance.rollout)})`,
    );
    const message = `stacks of environment ${environment} resolve to different rollouts: ${parts.join("; ")}; their waves cannot be planned together, so flowgate would hold them`;
    found.push(at(policies, list.at(-1)!, "rollout", ["waves"], message));
  }
  return found;
}

export function checkResolvedProgression(
  policies: readonly Policy[],
  stacks: readonly Stack[],
  opts: { org?: string; now: Date },
): Diagnostic[] {
  const progression = setsAny(policies, "progression");
  const rollout = setsAny(policies, "rollout");
  if (!progression && !rollout) return [];
  const index = buildPolicyIndex(policies, opts.now);
  const resolutions = stacks.map((s) =>
    resolveStack(index, s, { now: opts.now, ...(opts.org === undefined ? {} : { org: opts.org }) }),
  );
  return [
    ...(progression ? cycleFindings(policies, resolutions) : []),
    ...(rollout ? rolloutFindings(policies, resolutions) : []),
  ];
}
