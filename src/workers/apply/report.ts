import { createHash } from "node:crypto";
import { repoIdOf } from "../../engine/stack-job/ids.js";
import type { StackJob } from "../../engine/stack-job/types.js";
import type { RepoRef } from "../../github/port.js";
import { applyCheck, renderApplyComment } from "../../render/apply.js";
import { applyCheckName } from "../../render/pull-checks.js";
import type { Runtime } from "../../runtime/runtime.js";
import { keys } from "../../state/keys.js";
import type { Verification } from "../../state/verifications.js";
import type { RepoInfo } from "../../webhooks/events.js";
import { alone } from "../alone.js";
import { planTextId } from "../jobs/run-update.js";
import { writeSticky } from "../pull/write.js";

const refOf = (job: StackJob): RepoRef => ({
  installationId: job.installationId,
  owner: job.owner,
  repo: job.repo,
});
const hashOf = (value: unknown) =>
  createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 32);

/**
 * The `flowgate/apply: <stack>` check on the merge commit, written only when it changed, from the job as
 * stored now (the caller's copy may be older); `waiting` says more while the job is as the caller saw it.
 */
export async function reportApplyJob(rt: Runtime, job: StackJob, waiting?: string): Promise<void> {
  await alone(rt, `${keys.job(job.id)}:check-lock`, async () => {
    const latest = (await rt.jobs.get(job.id)) ?? job;
    const note = latest.updatedAt === job.updatedAt && latest.status === job.status ? waiting : undefined;
    await writeApplyCheck(rt, latest, note);
  });
  await reportMergedPull(rt, job);
}

async function writeApplyCheck(rt: Runtime, job: StackJob, waiting: string | undefined): Promise<void> {
  const port = rt.github(refOf(job));
  const text = job.plan ? await rt.jobs.text(planTextId(job, "plan")) : undefined;
  const input = applyCheck(job, text, waiting);
  const memo = await rt.applies.checkMemo(job.id);
  const next = hashOf(input);
  if (memo.hash === next) return;
  const now = rt.clock.now().toISOString();
  const timed = { ...input, ...(input.status === "completed" ? { completedAt: now } : {}) };
  let checkId = memo.id;
  if (checkId) await port.updateCheckRun(checkId, timed);
  else checkId = await port.createCheckRun({ ...timed, startedAt: now });
  await rt.applies.setCheckMemo(job.id, checkId, next);
}

/** The merged PR's sticky comment shows every stack of its merge commit. */
export async function reportMergedPull(rt: Runtime, job: StackJob): Promise<void> {
  if (!job.prNumber) return;
  const repoId = repoIdOf(job);
  const prNumber = job.prNumber;
  await alone(rt, keys.pullStickyLock(repoId, prNumber), async () => {
    const record = await rt.pulls.get(repoId, prNumber);
    if (!record) return;
    const ids = await rt.applies.commitJobs(repoId, job.sha);
    const jobs = (await rt.jobs.getMany(ids.sort())).filter((j): j is StackJob => j !== undefined);
    if (jobs.length === 0) return;
    const verifications = new Map<string, Verification>();
    for (const j of jobs) {
      const v = await rt.verifications.get(j.id);
      if (v) verifications.set(j.id, v);
    }
    await writeSticky(rt, rt.github(refOf(job)), record, renderApplyComment(job.sha, jobs, verifications));
  });
}

/** A merge that cannot get apply jobs says why on the merge commit (fail closed, explain always). */
export async function reportCommitProblem(
  rt: Runtime,
  repo: RepoInfo,
  sha: string,
  message: string,
  stack?: string,
): Promise<void> {
  await rt.github(repo).createCheckRun({
    name: stack ? applyCheckName(stack) : "flowgate/apply",
    headSha: sha,
    status: "completed",
    conclusion: "failure",
    title: "No apply jobs",
    summary: message.slice(0, 65_000),
  });
}
