import type { Runtime } from "../../app/runtime.js";
import type { StackJob } from "../../engine/stack-job/types.js";
import { TERMINAL_STATUSES } from "../../engine/stack-job/types.js";
import { safeId } from "../../queue/queues.js";
import { keys } from "../../state/keys.js";
import { ReconcileMemory } from "../../state/reconcile.js";
import { onMergedCommand } from "../events/comment-event.js";
import { onGateChanged } from "../events/gate-command.js";
import { onMerged } from "../events/pull-event.js";
import { extraHandlers } from "../events/route.js";
import { addJobHooks, applyJobEvent } from "../jobs/driver.js";
import { repoIdOf } from "../jobs/ids.js";
import { stepHandlers } from "../jobs/process.js";
import { applyPlanHooks } from "../jobs/run-update.js";
import { advanceJob } from "./advance.js";
import { mergedPullCommand } from "./commands.js";
import { handleCommit } from "./commit.js";
import { pauseAfterPlan, storedJobRule } from "./plan-decisions.js";
import { reportApplyJob } from "./report.js";
import { StackLocks } from "./stack-lock.js";

async function wake(rt: Runtime, jobId: string, reason: string): Promise<void> {
  await rt.queues.addStep({ step: "advance", jobId, reason }, safeId("advance", jobId, reason, Date.now()));
}

/** After every change of an apply job: locks, dependents, what was applied, and the reports. */
async function afterApplyChange(rt: Runtime, job: StackJob, effects: { type: string }[]): Promise<void> {
  if (job.kind !== "apply") return;
  const repoId = repoIdOf(job);
  if (job.status !== "pending") await rt.redis.srem(keys.pendingStacks(job.installationId), job.id);
  if (job.status === "succeeded") {
    const policyFingerprint = (await storedJobRule(rt, job.id))?.policyFingerprint;
    const m = rt.redis
      .multi()
      .hset(keys.stackApplied(repoId, job.stack), "sha", job.sha, "createdAt", job.createdAt, "job", job.id);
    if (policyFingerprint) m.set(keys.stackPolicy(repoId, job.stack), policyFingerprint);
    await m.exec();
  }
  if (effects.some((e) => e.type === "release-lock") || TERMINAL_STATUSES.has(job.status)) {
    await new StackLocks(rt.redis).release(repoId, job.stack, job.id);
    // The next queued job of the stack may go now.
    for (const id of await rt.jobs.stackJobIds(repoId, job.stack)) {
      const other = id === job.id ? undefined : await rt.jobs.get(id);
      if (other?.kind === "apply" && other.status === "queued")
        await wake(rt, id, `lock released by ${job.id}`);
    }
  }
  if (effects.some((e) => e.type === "wake-dependents") || TERMINAL_STATUSES.has(job.status)) {
    for (const id of await rt.redis.smembers(keys.jobDependents(job.id)))
      await wake(rt, id, `dependency ${job.stack} ${job.status}`);
  }
  if (job.status === "queued") await wake(rt, job.id, "queued");
  await reportApplyJob(rt, job);
}

/** The apply pipeline of SPEC §4, wired into the event, step and command handlers. */
export function installApplyPipeline(): void {
  addJobHooks({ afterChange: afterApplyChange });
  applyPlanHooks.push(pauseAfterPlan);
  stepHandlers.advance = async (rt, step) => {
    if (step.step === "advance") await advanceJob(rt, step.jobId);
  };
  stepHandlers.start = async (rt, step) => {
    if (step.step !== "start") return;
    // `flowgate apply --env ENV --all-pending`: the operator starts what disableOnLifecycleEvents left pending.
    const applied = await applyJobEvent(rt, step.jobId, {
      type: "start",
      by: { login: step.by, type: "user" },
    });
    if (applied?.accepted) await wake(rt, step.jobId, "started");
  };
  stepHandlers.commit = async (rt, step) => {
    if (step.step === "commit")
      await handleCommit(rt, {
        repo: step.repo,
        before: step.before,
        after: step.after,
        pusher: step.pusher,
      });
  };
  extraHandlers.push = async (rt, data) => {
    const e = data.event;
    if (e.type !== "push") return;
    // The organization's configuration may have appeared or changed: read it again on the next event.
    if (e.repo.repo === ".github") await rt.config.forgetOrganization(e.repo.owner);
    // A repository reconciliation left at rest (no configuration) may have configuration now.
    await new ReconcileMemory(rt.redis).wake(e.repo.repoId);
    await rt.queues.addStep(
      { step: "commit", repo: e.repo, before: e.before, after: e.after, pusher: e.pusher },
      safeId("commit", e.repo.repoId, e.after),
    );
  };
  onMerged.push(async (rt, event) => {
    const sha = event.pull.mergeCommitSha;
    if (!sha || event.pull.baseRef !== event.repo.defaultBranch) return;
    // The push webhook does the same; whichever arrives first creates the jobs, the other finds them.
    await rt.queues.addStep(
      {
        step: "commit",
        repo: event.repo,
        before: event.pull.baseSha,
        after: sha,
        pusher: event.sender.login,
      },
      safeId("commit", event.repo.repoId, sha),
    );
  });
  onGateChanged.push(async (rt, jobIds) => {
    for (const id of jobIds) await wake(rt, id, "gate changed");
  });
  onMergedCommand.push(mergedPullCommand);
}
