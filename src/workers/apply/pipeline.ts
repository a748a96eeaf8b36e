import { repoIdOf } from "../../engine/stack-job/ids.js";
import type { StackJob } from "../../engine/stack-job/types.js";
import { TERMINAL_STATUSES } from "../../engine/stack-job/types.js";
import { safeId } from "../../queue/queues.js";
import type { Runtime } from "../../runtime/runtime.js";
import type { FlowgateEvent } from "../../webhooks/events.js";
import { applyJobEvent } from "../jobs/driver.js";
import { storedJobRule } from "./plan-decisions.js";
import { reportApplyJob } from "./report.js";
import { StackLocks } from "./stack-lock.js";
import { startVerification } from "./verify.js";

type PushEvent = Extract<FlowgateEvent, { type: "push" }>;
type PullEvent = Extract<FlowgateEvent, { type: "pull" }>;

export async function wake(rt: Runtime, jobId: string, reason: string): Promise<void> {
  await rt.queues.addStep({ step: "advance", jobId, reason }, safeId("advance", jobId, reason, Date.now()));
}

/** After every change of an apply job: locks, dependents, what was applied, and the reports. */
export async function afterApplyChange(
  rt: Runtime,
  job: StackJob,
  effects: { type: string }[],
): Promise<void> {
  if (job.kind !== "apply") return;
  const repoId = repoIdOf(job);
  if (job.status !== "pending") await rt.applies.notPending(job.installationId, job.id);
  if (job.status === "succeeded") {
    const policyFingerprint = (await storedJobRule(rt, job.id))?.policyFingerprint;
    await rt.applies.recordApplied(
      repoId,
      job.stack,
      { sha: job.sha, createdAt: job.createdAt, job: job.id },
      policyFingerprint,
    );
    // Before its dependents are woken: they wait for the verification its policy asks for (issue 13).
    await startVerification(rt, job);
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
    for (const id of await rt.applies.dependents(job.id))
      await wake(rt, id, `dependency ${job.stack} ${job.status}`);
  }
  if (TERMINAL_STATUSES.has(job.status)) await wakeCommit(rt, job, `${job.stack} ${job.status}`);
  if (job.status === "queued") await wake(rt, job.id, "queued");
  await reportApplyJob(rt, job);
}

/** Jobs of the same commit that wait for other environments or earlier waves look again (issue 13). */
export async function wakeCommit(rt: Runtime, job: StackJob, reason: string): Promise<void> {
  for (const id of await rt.applies.commitJobs(repoIdOf(job), job.sha)) {
    if (id === job.id) continue;
    const other = await rt.jobs.get(id);
    if (other?.kind === "apply" && other.status === "queued") await wake(rt, id, reason);
  }
}

/** `flowgate apply --env ENV --all-pending`: the operator starts what disableOnLifecycleEvents left pending. */
export async function startPendingJob(rt: Runtime, jobId: string, by: string): Promise<void> {
  const applied = await applyJobEvent(rt, jobId, { type: "start", by: { login: by, type: "user" } });
  if (applied?.accepted) await wake(rt, jobId, "started");
}

/** A push to a repository: its commit (on the default branch) may start applies. */
export async function commitFromPush(rt: Runtime, e: PushEvent): Promise<void> {
  // The organization's configuration may have appeared or changed: read it again on the next event.
  if (e.repo.repo === ".github") await rt.config.forgetOrganization(e.repo.owner);
  await rt.queues.addStep(
    { step: "commit", repo: e.repo, before: e.before, after: e.after, pusher: e.pusher },
    safeId("commit", e.repo.repoId, e.after),
  );
}

/** A merged PR: its merge commit starts the applies. */
export async function commitFromMerge(rt: Runtime, event: PullEvent): Promise<void> {
  const sha = event.pull.mergeCommitSha;
  if (!sha || event.pull.baseRef !== event.repo.defaultBranch) return;
  // The push webhook does the same; whichever arrives first creates the jobs, the other finds them.
  await rt.queues.addStep(
    { step: "commit", repo: event.repo, before: event.pull.baseSha, after: sha, pusher: event.sender.login },
    safeId("commit", event.repo.repoId, sha),
  );
}

/** A gate opened or closed: the apply jobs it held look again. */
export async function wakeGateHolders(rt: Runtime, jobIds: string[]): Promise<void> {
  for (const id of jobIds) await wake(rt, id, "gate changed");
}
