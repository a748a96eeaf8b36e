import { decideProgression } from "../../engine/progression.js";
import { decideWave, planRolloutWaves } from "../../engine/rollout.js";
import { repoIdOf } from "../../engine/stack-job/ids.js";
import { type StackJob, TERMINAL_STATUSES } from "../../engine/stack-job/types.js";
import type { StackAtCommit, StackProgress } from "../../engine/stack-progress.js";
import type { Runtime } from "../../runtime/runtime.js";
import { policyAtCommit } from "./plan-decisions.js";

/** Whether an apply may start as far as other environments and earlier waves are concerned (issue 13). */
export type OrderDecision =
  | { kind: "go" }
  | { kind: "wait"; reason: string; until?: Date }
  | { kind: "stop"; reason: string };

/** How far each apply job of one commit got: applied and verified, still going, or failed. */
async function progressOf(rt: Runtime, job: StackJob): Promise<StackProgress> {
  if (job.status === "succeeded") {
    const v = await rt.verifications.get(job.id);
    if (!v) return { state: "verified", at: new Date(job.updatedAt) };
    if (v.status === "passed") return { state: "verified", at: new Date(v.finishedAt ?? job.updatedAt) };
    if (v.status === "failed") return { state: "failed", reason: `verification failed: ${v.reason}` };
    return { state: "pending" };
  }
  if (TERMINAL_STATUSES.has(job.status))
    return { state: "failed", reason: `apply ended ${job.status}: ${job.reason}` };
  return { state: "pending" };
}

export async function commitJobs(rt: Runtime, job: StackJob): Promise<StackJob[]> {
  const ids = await rt.applies.commitJobs(repoIdOf(job), job.sha);
  return (await rt.jobs.getMany(ids.sort())).filter((j): j is StackJob => j?.kind === "apply");
}

/**
 * Environment progression (`progression: { after, soak }`) and gradual rollout (`rollout: { waves }`)
 * for one queued apply job, from the policy at its commit and how far the commit's other stacks got.
 */
export async function decideOrder(rt: Runtime, job: StackJob): Promise<OrderDecision> {
  const policy = await policyAtCommit(rt, job);
  if (!policy) return { kind: "go" };
  const { progression, rollout } = policy.flow;
  if (progression.after.length === 0 && rollout.waves.length === 0) return { kind: "go" };
  const jobs = await commitJobs(rt, job);
  const progress = new Map<string, StackProgress>();
  for (const j of jobs) progress.set(j.stack, await progressOf(rt, j));
  const now = rt.clock.now();

  if (progression.after.length > 0) {
    const touched: StackAtCommit[] = jobs.map((j) => ({
      stack: j.stack,
      environment: j.environment,
      progress: progress.get(j.stack)!,
    }));
    const decision = decideProgression(progression, touched, now);
    if (decision.kind === "wait") return { kind: "wait", reason: decision.reason };
    if (decision.kind === "soak") return { kind: "wait", reason: decision.reason, until: decision.until };
    // held: the earlier environment failed; the job waits for a person or a newer commit, saying why
    if (decision.kind === "held") return { kind: "wait", reason: decision.reason };
    rt.metrics.promotionWait.observe(
      { environment: job.environment },
      Math.max(0, (now.getTime() - Date.parse(job.createdAt)) / 1000),
    );
  }

  if (rollout.waves.length > 0) {
    const peers = jobs.filter((j) => j.environment === job.environment);
    const stackOf = new Map(jobs.map((j) => [j.id, j.stack]));
    const waves = planRolloutWaves(
      peers.map((j) => ({ name: j.stack, dependsOn: j.dependsOn.map((id) => stackOf.get(id) ?? id) })),
      rollout.waves,
    );
    if (!waves.ok) return { kind: "wait", reason: `rollout cannot be planned: ${waves.error}` };
    const wave = decideWave(waves.value, job.stack, progress);
    if (!wave.ok) return { kind: "wait", reason: wave.error };
    if (wave.value.kind === "wait") return { kind: "wait", reason: wave.value.reason };
    if (wave.value.kind === "stopped") return { kind: "stop", reason: wave.value.reason };
  }
  return { kind: "go" };
}
