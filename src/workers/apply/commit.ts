import { formatProblem } from "../../config/diagnostics.js";
import type { Stack } from "../../config/types.js";
import { StackMatcher } from "../../engine/affected.js";
import { permissionAtLeast } from "../../engine/authority.js";
import { buildPolicyIndex, resolveStack } from "../../engine/resolve.js";
import { applyJobId } from "../../engine/stack-job/ids.js";
import { newJob } from "../../engine/stack-job/index.js";
import type { StackJob } from "../../engine/stack-job/types.js";
import { TERMINAL_STATUSES } from "../../engine/stack-job/types.js";
import type { PullFiles } from "../../github/port.js";
import type { ExprVars } from "../../lang/expressions.js";
import { safeId } from "../../queue/queues.js";
import type { Runtime } from "../../runtime/runtime.js";
import type { RepoInfo } from "../../webhooks/events.js";
import { applyJobEvent } from "../jobs/driver.js";
import { inRecovery } from "../pull/lost-state.js";
import { permissionOf } from "../pull/people.js";
import { jobTimeouts } from "../pull/plans.js";
import type { StoredJobRule } from "./plan-decisions.js";
import { policyBeforeCommit, policyFingerprint } from "./policy-change.js";
import { reportApplyJob, reportCommitProblem } from "./report.js";

const ZERO_SHA = /^0+$/;

export interface CommitInput {
  repo: RepoInfo;
  before: string;
  after: string;
  pusher: string;
}

/**
 * A new commit on the default branch (a merged PR or a direct push, SPEC §4): one apply job per
 * affected stack, in dependency order, older jobs that have not started applying superseded. Job ids
 * come from (stack, commit): handling the same commit twice creates nothing new.
 */
export async function handleCommit(rt: Runtime, input: CommitInput): Promise<StackJob[]> {
  const { repo, before, after } = input;
  if (ZERO_SHA.test(after)) return [];
  const port = rt.github(repo);
  const now = rt.clock.now();
  const log = rt.log.child({ repo: `${repo.owner}/${repo.repo}`, commit: after.slice(0, 7) });

  const merged = (await port.listPullsForCommit(after)).find((p) => p.merged && p.mergeCommitSha === after);
  let files: PullFiles;
  if (merged) files = await port.listPullFiles(merged.number);
  else if (ZERO_SHA.test(before)) return [];
  else files = await port.compareFiles(before, after);
  const paths = files.files.flatMap((f) =>
    f.previousFilename ? [f.filename, f.previousFilename] : [f.filename],
  );

  const config = await rt.config.read((ref) => rt.github(ref), repo, { ref: after, now });
  if (config.errors.length || config.sourceErrors.length) {
    const problems = [...config.sourceErrors, ...config.errors.map(formatProblem)];
    await reportCommitProblem(
      rt,
      repo,
      after,
      `No apply jobs: the configuration at this commit is invalid.\n\n${problems.map((p) => `- ${p}`).join("\n")}`,
    );
    log.warn({ problems }, "configuration invalid at the merge commit: no apply jobs");
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
  const byName = new Map(config.stacks.map((s) => [s.name, s]));
  const index = buildPolicyIndex(config.policies, now);
  const triggeredBy = merged
    ? { login: merged.author, type: merged.authorIsBot ? ("bot" as const) : ("user" as const) }
    : { login: input.pusher, type: "user" as const };

  // SPEC §5.1: a plan made from a fork's code, or an author's without write permission, relaxes nothing.
  const trusted = merged
    ? merged.headRepo === `${repo.owner}/${repo.repo}` &&
      permissionAtLeast(await permissionOf(rt, port, repo.repoId, merged.author), "write")
    : true;
  const policyBefore = policyBeforeCommit(rt, repo, before, paths, now);
  const recovering = await inRecovery(rt, repo.installationId);
  // Dependency order: a stack's job waits for the unfinished jobs of the stacks it depends on.
  const created: StackJob[] = [];
  const names = [...affected.stacks.keys()];
  const jobIdOf = new Map(names.map((n) => [n, applyJobId(repo.repoId, n, after)]));
  for (const name of names) {
    const stack = byName.get(name) as Stack;
    const vars: ExprVars = {
      files: affected.stacks.get(name) ?? [],
      stack: { name, kind: stack.kind },
      environment: stack.environment,
      triggeredBy,
      ...(merged ? { pr: { author: merged.author, labels: merged.labels, baseRef: merged.baseRef } } : {}),
    };
    const resolution = resolveStack(index, stack, { org: repo.owner, now, vars });
    if (resolution.errors.length) {
      await reportCommitProblem(
        rt,
        repo,
        after,
        `No apply job for ${name}: ${resolution.errors.join("; ")}`,
        name,
      );
      continue;
    }
    const dependsOn: string[] = [];
    for (const dep of stack.dependsOn) {
      const sameCommit = jobIdOf.get(dep);
      if (sameCommit) dependsOn.push(sameCommit);
      else {
        const earlier = await latestUnfinishedJob(rt, repo.repoId, dep);
        if (earlier) dependsOn.push(earlier);
      }
    }
    const approved = merged ? await rt.pulls.approved(repo.repoId, merged.number, name) : undefined;
    const carryOver =
      approved && merged && approved.headSha === merged.headSha
        ? { fingerprint: approved.fingerprint, approvers: approved.approvers }
        : undefined;
    const fingerprint = policyFingerprint(resolution);
    const previous =
      (await rt.applies.policyFingerprint(repo.repoId, name)) ?? (await policyBefore(name, vars));
    const forcePause =
      previous && previous !== fingerprint
        ? `the policy this stack resolves to changed (now ${resolution.policy.policy}): the first apply after a policy change waits for approval`
        : undefined;
    const gates = [];
    for (const g of resolution.flow.gates) {
      const gate = config.gates.get(g);
      if (!gate || gate.blocks.length === 0 || gate.blocks.includes("apply")) gates.push(g);
    }
    const job = newJob(
      {
        id: jobIdOf.get(name)!,
        kind: "apply",
        installationId: repo.installationId,
        owner: repo.owner,
        repo: repo.repo,
        stack: name,
        environment: stack.environment,
        workflow: stack.workflow,
        path: stack.dir,
        sha: after,
        ...(merged ? { prNumber: merged.number } : {}),
        controls: {
          isManual: resolution.flow.isManual,
          disableOnLifecycleEvents: resolution.flow.disableOnLifecycleEvents,
          skipRefresh: resolution.flow.skipRefresh,
          previewBeforeUpdateOrDestroy: resolution.flow.previewBeforeUpdateOrDestroy,
          pauseBetweenPreviewAndUpdateOrDestroy: resolution.flow.pauseBetweenPreviewAndUpdateOrDestroy,
        },
        policy: { name: resolution.policy.policy, file: resolution.policy.file },
        timeouts: jobTimeouts(resolution),
        dependsOn,
        gates,
        triggeredBy,
        ...(carryOver ? { carryOver } : {}),
        ...(forcePause ? { forcePause } : {}),
      },
      now,
    );
    job.dispatchRef = repo.defaultBranch;
    if (recovering) job.recovered = true;
    if (!(await rt.jobs.create(job, repo.repoId))) continue;
    await rt.applies.recordJob({
      id: job.id,
      repoId: repo.repoId,
      installationId: repo.installationId,
      sha: after,
      pending: job.status === "pending",
      dependsOn,
      rule: {
        rule: resolution.approvalRule.rule,
        policyFingerprint: fingerprint,
        vars,
        trusted,
      } satisfies StoredJobRule,
    });
    created.push(job);
    await rt.audit.record({
      type: "policy-resolved",
      repo: `${repo.owner}/${repo.repo}`,
      ...(merged ? { pr: merged.number } : {}),
      stack: name,
      jobId: job.id,
      policy: resolution.policy.policy,
      environment: stack.environment,
      decision: job.status,
      reason: `${job.reason}${carryOver ? "; PR approval offered for carry-over" : ""}${forcePause ? `; ${forcePause}` : ""}`,
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
