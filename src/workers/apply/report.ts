import { createHash } from "node:crypto";
import type { Runtime } from "../../app/runtime.js";
import type { StackJob } from "../../engine/stack-job/types.js";
import type { RepoRef } from "../../github/port.js";
import { applyCheck, renderApplyComment } from "../../render/apply.js";
import { applyCheckName } from "../../render/pull-checks.js";
import { keys } from "../../state/keys.js";
import type { RepoInfo } from "../../webhooks/events.js";
import { planTextId } from "../jobs/run-update.js";
import { writeSticky } from "../pull/write.js";

/** Job ids start with the repository id (see applyJobId and planJobId). */
export function repoIdOf(job: StackJob): number {
  return Number(job.id.split("-")[0]);
}

const refOf = (job: StackJob): RepoRef => ({
  installationId: job.installationId,
  owner: job.owner,
  repo: job.repo,
});
const hashOf = (value: unknown) =>
  createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 32);

/** The `flowgate/apply: <stack>` check on the merge commit, written only when it changed. */
export async function reportApplyJob(rt: Runtime, job: StackJob, waiting?: string): Promise<void> {
  const port = rt.github(refOf(job));
  const text = job.plan ? await rt.jobs.text(planTextId(job, "plan")) : undefined;
  const input = applyCheck(job, text, waiting);
  const memoKey = `${keys.job(job.id)}:check`;
  const [id, hash] = await rt.redis.hmget(memoKey, "id", "hash");
  const next = hashOf(input);
  if (hash === next) return;
  const now = rt.clock.now().toISOString();
  const timed = { ...input, ...(input.status === "completed" ? { completedAt: now } : {}) };
  let checkId = id ? Number(id) : undefined;
  if (checkId) await port.updateCheckRun(checkId, timed);
  else checkId = await port.createCheckRun({ ...timed, startedAt: now });
  await rt.redis
    .multi()
    .hset(memoKey, "id", String(checkId), "hash", next)
    .expire(memoKey, 90 * 86_400)
    .exec();
  await reportMergedPull(rt, job);
}

/** The merged PR's sticky comment shows every stack of its merge commit. */
export async function reportMergedPull(rt: Runtime, job: StackJob): Promise<void> {
  if (!job.prNumber) return;
  const repoId = repoIdOf(job);
  const record = await rt.pulls.get(repoId, job.prNumber);
  if (!record) return;
  const ids = await rt.redis.smembers(keys.commitJobs(repoId, job.sha));
  const jobs = (await rt.jobs.getMany(ids.sort())).filter((j): j is StackJob => j !== undefined);
  if (jobs.length === 0) return;
  await writeSticky(rt, rt.github(refOf(job)), record, renderApplyComment(job.sha, jobs));
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
