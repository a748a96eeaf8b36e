import { evaluateGate, type GateDecision } from "../../engine/gates.js";
import { repoIdOf } from "../../engine/stack-job/ids.js";
import type { StackJob } from "../../engine/stack-job/types.js";
import { TERMINAL_STATUSES } from "../../engine/stack-job/types.js";
import { safeId } from "../../queue/queues.js";
import type { Runtime } from "../../runtime/runtime.js";
import { applyJobEvent } from "../jobs/driver.js";
import { lostGateStateSince } from "../pull/lost-state.js";
import { decideOrder } from "./order.js";
import { controlsAtDispatch } from "./plan-decisions.js";
import { reportApplyJob } from "./report.js";
import { StackLocks } from "./stack-lock.js";

export type Waiting =
  | { kind: "dependency"; jobId: string }
  | { kind: "gate"; gate: GateDecision }
  | { kind: "lock"; heldBy: string }
  | { kind: "order"; reason: string };

async function gateDecisions(rt: Runtime, job: StackJob): Promise<GateDecision[]> {
  if (job.gates.length === 0) return [];
  const repo = { installationId: job.installationId, owner: job.owner, repo: job.repo };
  const now = rt.clock.now();
  const defaultBranch = job.dispatchRef ?? "main";
  const config = await rt.config.read((ref) => rt.github(ref), repo, { ref: defaultBranch, now });
  const lostSince = await lostGateStateSince(rt, job.installationId);
  const repoId = repoIdOf(job);
  const decisions: GateDecision[] = [];
  for (const name of job.gates) {
    const gate = config.gates.get(name);
    if (!gate) {
      decisions.push({
        name,
        open: false,
        state: "closed",
        source: "default",
        reason: `gate ${name} is not defined: it counts as closed`,
      });
      continue;
    }
    decisions.push(
      evaluateGate(
        gate,
        await rt.gates.toggle(name, job.owner, repoId),
        now,
        lostSince ? { stateLostSince: lostSince } : undefined,
      ),
    );
  }
  return decisions;
}

/**
 * Moves a queued apply job toward its run (SPEC §4): its dependencies must have succeeded (a failed one
 * cancels it), apply-blocking gates must be open, and it must hold its stack's lock. Anything it waits
 * for wakes it again: a dependency ending, a gate changing (or its schedule), the lock being released.
 */
export async function advanceJob(rt: Runtime, jobId: string): Promise<Waiting | undefined> {
  const job = await rt.jobs.get(jobId);
  if (job?.kind !== "apply" || job.status !== "queued") return undefined;
  const repoId = repoIdOf(job);

  for (const depId of job.dependsOn) {
    const dep = await rt.jobs.get(depId);
    if (!dep) continue;
    if (dep.status === "succeeded") {
      // Applied counts once the verification its policy asks for passed (issue 13).
      const verification = await rt.verifications.get(depId);
      if (!verification || verification.status === "passed") continue;
      if (verification.status === "failed") {
        await applyJobEvent(rt, jobId, {
          type: "dependency-failed",
          dependency: depId,
          stack: dep.stack,
          status: dep.status,
          verification: verification.reason,
        });
        return undefined;
      }
      await reportApplyJob(rt, job, `waiting for ${dep.stack} to be verified first`);
      return { kind: "dependency", jobId: depId };
    }
    if (TERMINAL_STATUSES.has(dep.status)) {
      await applyJobEvent(rt, jobId, {
        type: "dependency-failed",
        dependency: depId,
        stack: dep.stack,
        status: dep.status,
      });
      return undefined;
    }
    // No status of the dependency here: it changes without this check being written again.
    await reportApplyJob(rt, job, `waiting for ${dep.stack} to be applied first`);
    return { kind: "dependency", jobId: depId };
  }

  // Other environments first (progression), earlier waves first (rollout): issue 13.
  const order = await decideOrder(rt, job);
  if (order.kind === "stop") {
    await applyJobEvent(rt, jobId, { type: "cancel", by: "flowgate", reason: order.reason });
    return undefined;
  }
  if (order.kind === "wait") {
    if (order.until) {
      const delay = Math.max(0, order.until.getTime() - rt.clock.now().getTime());
      await rt.queues.addStep(
        { step: "advance", jobId, reason: "soak ends" },
        safeId("advance", jobId, "soak", order.until.getTime()),
        delay,
      );
    }
    await reportApplyJob(rt, job, order.reason);
    return { kind: "order", reason: order.reason };
  }

  const now = rt.clock.now();
  for (const gate of await gateDecisions(rt, job)) {
    const holder = { kind: "job" as const, jobId };
    if (!gate.open) {
      await rt.gates.hold(gate.name, job.owner, repoId, holder);
      if (gate.nextChangeAt && gate.nextChangeAt > now) {
        await rt.queues.addStep(
          { step: "advance", jobId, reason: `gate ${gate.name} may change` },
          safeId("advance", jobId, "gate", gate.nextChangeAt.getTime()),
          gate.nextChangeAt.getTime() - now.getTime(),
        );
      }
      await reportApplyJob(rt, job, `waiting for gate ${gate.name}: ${gate.reason}`);
      return { kind: "gate", gate };
    }
    await rt.gates.release(gate.name, job.owner, repoId, holder);
  }

  // A stack never applies a commit older than the one it last applied.
  const applied = await rt.applies.lastApplied(repoId, job.stack);
  if (applied && applied.createdAt > job.createdAt) {
    await applyJobEvent(rt, jobId, {
      type: "supersede",
      byJob: applied.job || "a newer apply",
      sha: applied.sha,
    });
    return undefined;
  }

  // Schedules decide for an apply when it is dispatched (SPEC §2.2): the policy as it is now.
  const controls = await controlsAtDispatch(rt, job);
  if (controls) {
    const changed = await applyJobEvent(rt, jobId, {
      type: "recontrol",
      controls,
      reason: "the policy changed since the merge (a schedule)",
    });
    if (changed?.accepted && changed.job.status !== "queued") return undefined;
  }

  const locks = new StackLocks(rt.redis);
  const lock = await locks.acquire(repoId, job.stack, jobId, async (holder) => {
    const other = await rt.jobs.get(holder);
    return !other || TERMINAL_STATUSES.has(other.status);
  });
  if ("heldBy" in lock) {
    await reportApplyJob(rt, job, `waiting for job ${lock.heldBy} to finish with stack ${job.stack}`);
    return { kind: "lock", heldBy: lock.heldBy };
  }
  const applied2 = await applyJobEvent(rt, jobId, { type: "ready", lockToken: lock.token });
  if (!applied2?.accepted) await locks.release(repoId, job.stack, jobId);
  return undefined;
}
