/**
 * Gradual rollout (issue #13): the stacks of one environment that a commit touches together go out in waves
 * (`waves: [1, 2, 4]`, the rest in the last wave), each verified before the next starts; a failed wave stops the
 * rest. Pure planning: which stacks form each wave, and whether a stack's wave may start.
 */
import type { Parsed } from "../config/types.js";
import type { StackProgress } from "./stack-progress.js";

export interface RolloutStack {
  name: string;
  dependsOn: readonly string[];
}

/**
 * Splits `items` into waves of the given sizes, in order; whatever remains joins the last wave. No waves (or no
 * items) give one wave with everything (or none). Sizes must be positive whole numbers.
 */
export function partitionIntoWaves<T>(items: readonly T[], waves: readonly number[]): Parsed<T[][]> {
  const bad = waves.find((n) => !Number.isSafeInteger(n) || n < 1);
  if (bad !== undefined)
    return { ok: false, error: `a wave size must be a positive whole number, got ${bad}` };
  if (items.length === 0) return { ok: true, value: [] };
  const out: T[][] = [];
  let next = 0;
  for (const size of waves) {
    if (next >= items.length) break;
    out.push(items.slice(next, next + size));
    next += size;
  }
  if (next < items.length) {
    if (out.length === 0 || waves.length === 0) out.push(items.slice(next));
    else out[out.length - 1]!.push(...items.slice(next));
  }
  return { ok: true, value: out };
}

/**
 * The stacks in dependency order (a stack after the stacks of the set it depends on), by name where the order is
 * free; an error names the stacks of a dependency cycle.
 */
export function orderForRollout(stacks: readonly RolloutStack[]): Parsed<string[]> {
  const names = new Set(stacks.map((s) => s.name));
  const waitingOn = new Map<string, Set<string>>();
  for (const s of stacks)
    waitingOn.set(s.name, new Set(s.dependsOn.filter((d) => names.has(d) && d !== s.name)));
  const ordered: string[] = [];
  while (waitingOn.size > 0) {
    const ready = [...waitingOn].filter(([, deps]) => deps.size === 0).map(([name]) => name);
    if (ready.length === 0) {
      const cycle = [...waitingOn.keys()].sort();
      return { ok: false, error: `these stacks depend on each other in a cycle: ${cycle.join(", ")}` };
    }
    const first = ready.sort()[0]!;
    ordered.push(first);
    waitingOn.delete(first);
    for (const deps of waitingOn.values()) deps.delete(first);
  }
  return { ok: true, value: ordered };
}

/**
 * The waves of one environment's stacks touched by one commit: in dependency order, then by name, so a stack
 * never sits in an earlier wave than a stack it depends on.
 */
export function planRolloutWaves(
  stacks: readonly RolloutStack[],
  waves: readonly number[],
): Parsed<string[][]> {
  const ordered = orderForRollout(stacks);
  if (!ordered.ok) return ordered;
  return partitionIntoWaves(ordered.value, waves);
}

export type WaveDecision =
  /** the stack's wave may start */
  | { kind: "go"; wave: number; reason: string }
  /** an earlier wave is still being applied or verified */
  | { kind: "wait"; wave: number; waitingFor: string[]; reason: string }
  /** an earlier wave failed: this one does not start */
  | { kind: "stopped"; wave: number; failed: { stack: string; reason: string }[]; reason: string };

/**
 * Whether `stack`'s wave may start: every stack of every earlier wave verified. `progress` has the state of the
 * stacks of the waves; one it lacks counts as pending. A stack in no wave is refused (fail closed).
 */
export function decideWave(
  waves: readonly (readonly string[])[],
  stack: string,
  progress: ReadonlyMap<string, StackProgress>,
): Parsed<WaveDecision> {
  const index = waves.findIndex((w) => w.includes(stack));
  if (index === -1) return { ok: false, error: `stack ${stack} is in none of the rollout's waves` };
  const wave = index + 1;
  const earlier = waves.slice(0, index).flat();
  const failed = earlier.flatMap((s) => {
    const p = progress.get(s);
    return p?.state === "failed" ? [{ stack: s, reason: p.reason }] : [];
  });
  if (failed.length > 0) {
    const list = failed.map((f) => `${f.stack}: ${f.reason}`).join("; ");
    return {
      ok: true,
      value: {
        kind: "stopped",
        wave,
        failed,
        reason: `an earlier wave failed (${list}); wave ${wave} does not start`,
      },
    };
  }
  const waitingFor = earlier.filter((s) => progress.get(s)?.state !== "verified");
  if (waitingFor.length > 0) {
    return {
      ok: true,
      value: {
        kind: "wait",
        wave,
        waitingFor,
        reason: `wave ${wave} of ${waves.length} waits for the earlier waves to be applied and verified (${waitingFor.join(", ")})`,
      },
    };
  }
  return { ok: true, value: { kind: "go", wave, reason: `wave ${wave} of ${waves.length}` } };
}
