/**
 * Environment progression (issue #13): a stack whose policy says `progression: { after: [staging], soak: 30m }`
 * applies a commit only once that commit has been applied and verified in staging (where it touched stacks
 * there), and `soak` has passed since the last of them was verified. Pure: the caller says what happened where.
 */
import type { Parsed, Progression } from "../config/types.js";
import { formatDuration, parseDuration } from "../lang/time/duration.js";
import type { StackAtCommit } from "./stack-progress.js";

export type { StackAtCommit, StackProgress } from "./stack-progress.js";

export type ProgressionDecision =
  /** may start now */
  | { kind: "go"; reason: string }
  /** wait until these stacks of earlier environments are verified */
  | { kind: "wait"; waitingFor: { environment: string; stacks: string[] }[]; reason: string }
  /** everything is verified; start at `until` */
  | { kind: "soak"; until: Date; reason: string }
  /** an earlier environment failed: held until a person acts or a newer commit supersedes */
  | { kind: "held"; failed: { environment: string; stack: string; reason: string }[]; reason: string };

function soakMs(progression: Progression): Parsed<number> {
  if (progression.soak === undefined) return { ok: true, value: 0 };
  const parsed = parseDuration(progression.soak);
  return parsed.ok ? parsed : { ok: false, error: `progression.soak: ${parsed.error}` };
}

/**
 * Whether a stack with this `progression` may start applying the commit now. `touched` lists every stack the
 * commit touched, in every environment, with its progress for this commit. A soak that cannot be read holds.
 */
export function decideProgression(
  progression: Progression,
  touched: readonly StackAtCommit[],
  now: Date,
): ProgressionDecision {
  if (progression.after.length === 0)
    return { kind: "go", reason: "no progression: waits for no environment" };
  const soak = soakMs(progression);
  if (!soak.ok) return { kind: "held", failed: [], reason: soak.error };
  const upstream = touched.filter((s) => progression.after.includes(s.environment));
  const untouched = progression.after.filter((env) => !upstream.some((s) => s.environment === env));
  const skipped = untouched.length
    ? `; this commit touched no stack in ${untouched.join(", ")}, so there is nothing to wait for there`
    : "";

  const failed = upstream.flatMap((s) =>
    s.progress.state === "failed"
      ? [{ environment: s.environment, stack: s.stack, reason: s.progress.reason }]
      : [],
  );
  if (failed.length > 0) {
    const list = failed.map((f) => `${f.stack} (${f.environment}): ${f.reason}`).join("; ");
    return { kind: "held", failed, reason: `held: this commit failed in an earlier environment: ${list}` };
  }

  const pending = upstream.filter((s) => s.progress.state === "pending");
  if (pending.length > 0) {
    const waitingFor = progression.after.flatMap((environment) => {
      const stacks = pending
        .filter((s) => s.environment === environment)
        .map((s) => s.stack)
        .sort();
      return stacks.length ? [{ environment, stacks }] : [];
    });
    const list = waitingFor.map((w) => `${w.environment} (${w.stacks.join(", ")})`).join(", ");
    return {
      kind: "wait",
      waitingFor,
      reason: `waits for this commit to be applied and verified in ${list}${skipped}`,
    };
  }

  if (upstream.length === 0)
    return {
      kind: "go",
      reason: `this commit touched no stack in ${progression.after.join(", ")}: nothing to wait for`,
    };
  let lastVerified = 0;
  for (const s of upstream)
    if (s.progress.state === "verified") lastVerified = Math.max(lastVerified, s.progress.at.getTime());
  const until = new Date(lastVerified + soak.value);
  const envs = [...new Set(upstream.map((s) => s.environment))].join(", ");
  if (until.getTime() > now.getTime()) {
    return {
      kind: "soak",
      until,
      reason: `verified in ${envs}; soaking for ${formatDuration(soak.value)} until ${until.toISOString()}${skipped}`,
    };
  }
  return {
    kind: "go",
    reason: `verified in ${envs}${soak.value > 0 ? ` and soaked for ${formatDuration(soak.value)}` : ""}${skipped}`,
  };
}

/**
 * A cycle among environments that wait for each other (`staging` after `production` after `staging`), as the
 * environments in order with the first repeated at the end, or undefined. Such environments would wait forever.
 */
export function progressionCycle(after: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, "visiting" | "done">();
  const path: string[] = [];
  const visit = (env: string): string[] | undefined => {
    const seen = state.get(env);
    if (seen === "done") return undefined;
    if (seen === "visiting") return [...path.slice(path.indexOf(env)), env];
    state.set(env, "visiting");
    path.push(env);
    for (const next of [...(after.get(env) ?? [])].sort()) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(env, "done");
    return undefined;
  };
  for (const env of [...after.keys()].sort()) {
    const cycle = visit(env);
    if (cycle) return cycle;
  }
  return undefined;
}
