import { formatProblem } from "../../config/diagnostics.js";
import type { Stack } from "../../config/types.js";
import { StackMatcher } from "../../engine/affected.js";
import { permissionAtLeast } from "../../engine/authority.js";
import {
  type CommitDecision,
  type CommitSnapshot,
  type CommitStack,
  commitVars,
  decideCommit,
} from "../../engine/commit/decide.js";
import { applyJobId } from "../../engine/stack-job/ids.js";
import type { StackJob } from "../../engine/stack-job/types.js";
import { TERMINAL_STATUSES } from "../../engine/stack-job/types.js";
import type { PullFiles, PullInfo } from "../../github/port.js";
import { safeId } from "../../queue/queues.js";
import type { RepoConfig } from "../../runtime/config-service.js";
import type { Runtime } from "../../runtime/runtime.js";
import type { RepoInfo } from "../../webhooks/events.js";
import { applyJobEvent } from "../jobs/driver.js";
import { inRecovery } from "../pull/lost-state.js";
import { permissionOf } from "../pull/people.js";
import type { StoredJobRule } from "./plan-decisions.js";
import { policyBeforeCommit } from "./policy-change.js";
import { reportApplyJob, reportCommitProblem } from "./report.js";

const ZERO_SHA = /^0+$/;

export interface CommitInput {
  repo: RepoInfo;
  before: string;
  after: string;
  pusher: string;
}

/** What the commit changed: the merged PR's files, or the comparison with the commit before it. */
async function changedPaths(rt: Runtime, input: CommitInput) {
  const port = rt.github(input.repo);
  const merged = (await port.listPullsForCommit(input.after)).find(
    (p) => p.merged && p.mergeCommitSha === input.after,
  );
  let files: PullFiles;
  if (merged) files = await port.listPullFiles(merged.number);
  else if (ZERO_SHA.test(input.before)) return undefined;
  else files = await port.compareFiles(input.before, input.after);
  const paths = files.files.flatMap((f) =>
    f.previousFilename ? [f.filename, f.previousFilename] : [f.filename],
  );
  return { merged, files, paths };
}

/**
 * A new commit on the default branch (a merged PR or a direct push, SPEC §4): one apply job per
 * affected stack, in dependency order, older jobs that have not started applying superseded. Job ids
 * come from (stack, commit): handling the same commit twice creates nothing new. Gathers what there is
 * to read, decides (engine/commit), then writes.
 */
export async function handleCommit(rt: Runtime, input: CommitInput): Promise<StackJob[]> {
  const { repo, after } = input;
  if (ZERO_SHA.test(after)) return [];
  const now = rt.clock.now();
  const changed = await changedPaths(rt, input);
  if (!changed) return [];
  const { merged, files, paths } = changed;

  const config = await rt.config.read((ref) => rt.github(ref), repo, { ref: after, now });
  if (config.errors.length || config.sourceErrors.length) {
    const problems = [...config.sourceErrors, ...config.errors.map(formatProblem)];
    await reportCommitProblem(
      rt,
      repo,
      after,
      `No apply jobs: the configuration at this commit is invalid.\n\n${problems.map((p) => `- ${p}`).join("\n")}`,
    );
    rt.log.warn(
      { repo: repo.repo, commit: after.slice(0, 7), problems },
      "configuration invalid at the merge commit: no apply jobs",
    );
    return [];
  }
  if (!files.complete) {
    await reportCommitProblem(
      rt,
      repo,
      after,
      `No apply jobs: GitHub lists only ${files.files.length} of ${files.changedFiles} changed files, so the affected stacks are unknown. Apply with /apply on the PR or \`flowgate apply\`.`,
    );
    return [];
  }
  const affected = new StackMatcher(config.stacks).affected(paths);
  if (affected.stacks.size === 0) return [];

  const snapshot = await gatherCommit(rt, input, { now, merged, paths, config, affected: affected.stacks });
  const decision = decideCommit(snapshot);
  return carryOutCommit(rt, input, snapshot, decision);
}

async function gatherCommit(
  rt: Runtime,
  input: CommitInput,
  read: {
    now: Date;
    merged: PullInfo | undefined;
    paths: string[];
    config: RepoConfig;
    affected: Map<string, string[]>;
  },
): Promise<CommitSnapshot> {
  const { repo, before, after, pusher } = input;
  const { now, merged, config } = read;
  const port = rt.github(repo);
  // SPEC §5.1: a plan made from a fork's code, or an author's without write permission, relaxes nothing.
  const trusted = merged
    ? merged.headRepo === `${repo.owner}/${repo.repo}` &&
      permissionAtLeast(await permissionOf(rt, port, repo.repoId, merged.author), "write")
    : true;
  const mergedPull = merged
    ? {
        number: merged.number,
        headSha: merged.headSha,
        author: merged.author,
        authorIsBot: merged.authorIsBot,
        labels: merged.labels,
        baseRef: merged.baseRef,
      }
    : undefined;
  const policyBefore = policyBeforeCommit(rt, repo, before, read.paths, now);
  const byName = new Map(config.stacks.map((s) => [s.name, s]));
  const names = [...read.affected.keys()];
  const stacks: CommitStack[] = [];
  for (const name of names) {
    const stack = byName.get(name) as Stack;
    const files = read.affected.get(name) ?? [];
    const earlierJobs: Record<string, string | undefined> = {};
    for (const dep of stack.dependsOn)
      if (!read.affected.has(dep)) earlierJobs[dep] = await latestUnfinishedJob(rt, repo.repoId, dep);
    const approved = merged ? await rt.pulls.approved(repo.repoId, merged.number, name) : undefined;
    const previousFingerprint =
      (await rt.applies.policyFingerprint(repo.repoId, name)) ??
      (await policyBefore(name, commitVars(stack, files, mergedPull, pusher)));
    stacks.push({
      stack,
      files,
      jobId: applyJobId(repo.repoId, name, after),
      earlierJobs,
      ...(approved ? { approved } : {}),
      ...(previousFingerprint ? { previousFingerprint } : {}),
    });
  }
  return {
    now,
    repo,
    sha: after,
    ...(mergedPull ? { merged: mergedPull } : {}),
    pusher,
    trusted,
    recovering: await inRecovery(rt, repo.installationId),
    policies: config.policies,
    gates: config.gates,
    stacks,
  };
}

/** Creates the decided jobs (each once), supersedes older ones, reports, and starts what may start. */
async function carryOutCommit(
  rt: Runtime,
  input: CommitInput,
  snapshot: CommitSnapshot,
  decision: CommitDecision,
): Promise<StackJob[]> {
  const { repo, after } = input;
  for (const problem of decision.problems)
    await reportCommitProblem(rt, repo, after, problem.message, problem.stack);
  const created: StackJob[] = [];
  for (const { job, rule, reason } of decision.jobs) {
    if (!(await rt.jobs.create(job, repo.repoId))) continue;
    await rt.applies.recordJob({
      id: job.id,
      repoId: repo.repoId,
      installationId: repo.installationId,
      sha: after,
      pending: job.status === "pending",
      dependsOn: job.dependsOn,
      rule: rule satisfies StoredJobRule,
    });
    created.push(job);
    await rt.audit.record({
      type: "policy-resolved",
      repo: `${repo.owner}/${repo.repo}`,
      ...(snapshot.merged ? { pr: snapshot.merged.number } : {}),
      stack: job.stack,
      jobId: job.id,
      policy: job.policy.name,
      environment: job.environment,
      decision: job.status,
      reason,
    });
  }

  // A newer merge supersedes the stack's older jobs that have not started applying (SPEC §4).
  for (const job of created) {
    for (const id of await rt.jobs.stackJobIds(repo.repoId, job.stack)) {
      if (id === job.id) continue;
      const old = await rt.jobs.get(id);
      if (
        old &&
        old.kind === "apply" &&
        !TERMINAL_STATUSES.has(old.status) &&
        old.status !== "applying" &&
        old.createdAt <= job.createdAt
      ) {
        await applyJobEvent(rt, id, { type: "supersede", byJob: job.id, sha: after });
      }
    }
  }
  for (const job of created) {
    await reportApplyJob(rt, job);
    if (job.status === "queued")
      await rt.queues.addStep(
        { step: "advance", jobId: job.id, reason: "created" },
        safeId("advance", job.id, "created"),
      );
  }
  await rt.applies.setLastSeenCommit(repo.repoId, after);
  return created;
}

async function latestUnfinishedJob(rt: Runtime, repoId: number, stack: string): Promise<string | undefined> {
  const ids = await rt.jobs.stackJobIds(repoId, stack);
  for (const id of [...ids].reverse()) {
    const job = await rt.jobs.get(id);
    if (job && job.kind === "apply" && !TERMINAL_STATUSES.has(job.status)) return id;
  }
  return undefined;
}
