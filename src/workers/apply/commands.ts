import { type ApprovalEvent, countApprovals, peopleFacts } from "../../engine/approvals.js";
import { mayApply } from "../../engine/authority.js";
import {
  decideMergedCommand,
  eligibilityNeeded,
  type MergedIntent,
  needsEligibility,
} from "../../engine/commit/commands.js";
import { repoIdOf } from "../../engine/stack-job/ids.js";
import type { StackJob } from "../../engine/stack-job/types.js";
import type { GitHubPort } from "../../github/port.js";
import { safeId } from "../../queue/queues.js";
import type { Runtime } from "../../runtime/runtime.js";
import type { CommandRequest, PullRecord } from "../../state/pulls.js";
import type { FlowgateEvent } from "../../webhooks/events.js";
import type { CommandReply } from "../events/gate-command.js";
import { applyJobEvent } from "../jobs/driver.js";
import { authorsOfHead, gatherPeople, permissionOf, teamsOf } from "../pull/people.js";
import { applyApprovalRule } from "./plan-decisions.js";
import { openRevertPull } from "./revert.js";

type CommentEvent = Extract<FlowgateEvent, { type: "comment" }>;

/**
 * Approvals for an apply job waiting after its plan (SPEC §4): the same rules as on the PR, bound to
 * the job's commit and given after its plan finished. Returns the approvers once the rule is met.
 */
export async function approveApplyJob(
  rt: Runtime,
  job: StackJob,
  record: PullRecord | undefined,
  event: ApprovalEvent,
): Promise<{ satisfied: boolean; approvers: string[]; message: string }> {
  await rt.applies.addApproval(job.id, event);
  const events = await rt.applies.approvals(job.id);
  const rule = await applyApprovalRule(rt, job);
  const port = rt.github({ installationId: job.installationId, owner: job.owner, repo: job.repo });
  const repoId = repoIdOf(job);
  const people = await gatherPeople(
    rt,
    port,
    repoId,
    job.owner,
    events.map((e) => e.login),
    teamsOf([rule]),
  );
  const [result] = countApprovals({
    headSha: job.sha,
    author: record?.facts.author ?? job.triggeredBy.login,
    pushers: record
      ? await authorsOfHead(
          rt,
          port,
          record,
          events.filter((e) => e.kind === "approve").map((e) => e.login),
        )
      : [job.triggeredBy.login],
    events,
    permissions: people.permissions,
    teamMembers: people.teamMembers,
    stacks: [
      {
        stack: job.stack,
        approvalRequired: true,
        rule,
        planRequired: true,
        ...(job.plan ? { planFinishedAt: new Date(job.plan.finishedAt) } : {}),
      },
    ],
  });
  const mine = result!.refused.find((r) => r.eventId === event.id);
  return {
    satisfied: result!.satisfied,
    approvers: result!.counted.map((c) => c.login),
    message: mine ? `not counted: ${mine.reason}` : result!.summary,
  };
}

/** `/apply` and `/reject` on a merged PR: by people eligible to approve the job's stack (SPEC §3.2). */
async function mayActOn(rt: Runtime, port: GitHubPort, job: StackJob, record: PullRecord, login: string) {
  const rule = await applyApprovalRule(rt, job);
  const repoId = repoIdOf(job);
  const people = await gatherPeople(rt, port, repoId, job.owner, [login], teamsOf([rule]));
  return mayApply(
    { login, isBot: false },
    rule?.approvers ?? null,
    peopleFacts({
      author: record.facts.author,
      pushers: await authorsOfHead(rt, port, record, [login]),
      ...people,
    }),
  );
}

/** `/apply`, `/approve`, `/reject`, `/retry`, `/cancel` on a merged PR act on its merge commit's jobs. */
export async function mergedPullCommand(
  rt: Runtime,
  event: CommentEvent,
  request: CommandRequest,
): Promise<CommandReply> {
  const { repo } = event;
  const record = await rt.pulls.get(repo.repoId, event.number);
  const sha = record?.facts.mergeCommitSha;
  if (!record || !sha) return { ok: false, message: "flowgate has no apply jobs for this PR's merge commit" };
  const ids = await rt.applies.commitJobs(repo.repoId, sha);
  const jobs = (await rt.jobs.getMany(ids.sort())).filter((j): j is StackJob => j !== undefined);
  if (jobs.length === 0) return { ok: false, message: "no stack of this PR has an apply job" };
  const { command } = request;
  const port = rt.github(repo);
  // Gather: the commenter's rights, only as far as the command needs them (each look-up may cost a request).
  const permission =
    command.name === "retry" || command.name === "cancel"
      ? await permissionOf(rt, port, repo.repoId, request.login)
      : "none";
  const eligibility: Record<string, { allowed: boolean; reason: string }> = {};
  if (needsEligibility(command))
    for (const job of eligibilityNeeded(command, jobs))
      eligibility[job.id] = await mayActOn(rt, port, job, record, request.login);
  // Decide, then carry out.
  const { intents, unknown } = decideMergedCommand({ command, jobs, permission, eligibility });
  const lines: string[] = unknown.length ? [`not stacks of this merge, ignored: ${unknown.join(", ")}`] : [];
  let ok = unknown.length === 0;
  for (const intent of intents) {
    const { text, good } = await carryOutMerged(rt, intent, record, request);
    lines.push(`\`${intent.job.stack}\`: ${text}`);
    if (!good) ok = false;
  }
  return { ok, message: lines.length ? `\n${lines.map((l) => `- ${l}`).join("\n")}` : "nothing to do" };
}

/** One decided intent on a job of the merge commit, carried out; the line the reply shows. */
async function carryOutMerged(
  rt: Runtime,
  intent: MergedIntent,
  record: PullRecord,
  request: CommandRequest,
): Promise<{ text: string; good: boolean }> {
  const { job } = intent;
  const by = { login: request.login, type: "user" as const };
  switch (intent.kind) {
    case "answer":
      return { text: intent.text, good: intent.ok };
    case "start": {
      const applied = await applyJobEvent(rt, job.id, { type: "start", by });
      await rt.applies.notPending(job.installationId, job.id);
      await rt.queues.addStep(
        { step: "advance", jobId: job.id, reason: "/apply" },
        safeId("advance", job.id, "start", request.id),
      );
      return applied?.accepted
        ? { text: "started", good: true }
        : { text: `not started: ${applied?.note ?? "unknown job"}`, good: false };
    }
    case "approve": {
      const result = await approveApplyJob(rt, job, record, {
        id: `comment-${request.id}`,
        kind: "approve",
        source: "comment",
        login: request.login,
        isBot: false,
        at: new Date(request.at),
        headSha: job.sha,
      });
      if (!result.satisfied) return { text: result.message, good: !result.message.startsWith("not counted") };
      const applied = await applyJobEvent(rt, job.id, {
        type: "approved",
        approvers: result.approvers,
        carriedOver: false,
      });
      return {
        text: applied?.accepted
          ? `approved by ${result.approvers.map((a) => `@${a}`).join(", ")}: applying`
          : `approval recorded (${applied?.note})`,
        good: true,
      };
    }
    case "reject": {
      const applied = await applyJobEvent(rt, job.id, {
        type: "cancel",
        by: request.login,
        reason: intent.reason,
      });
      rt.metrics.rejections.inc({ policy: job.policy.name });
      return applied?.accepted
        ? { text: "rejected: the job is cancelled", good: true }
        : { text: `nothing to reject (${job.status})`, good: false };
    }
    case "revert": {
      if (!(await rt.verifications.claimRevert(job.id)))
        return { text: "a revert PR was already opened (or attempted) for this apply", good: false };
      const { pull, message } = await openRevertPull(rt, job, `/revert by @${request.login}`);
      return { text: message, good: pull !== undefined };
    }
    case "retry":
    case "cancel": {
      const applied =
        intent.kind === "retry"
          ? await applyJobEvent(rt, job.id, { type: "retry", by })
          : await applyJobEvent(rt, job.id, { type: "cancel", by: request.login, reason: "/cancel" });
      if (applied?.accepted && intent.kind === "retry")
        await rt.queues.addStep(
          { step: "advance", jobId: job.id, reason: "/retry" },
          safeId("advance", job.id, "retry", request.id),
        );
      if (!applied?.accepted) return { text: `nothing to ${intent.kind} (${job.status})`, good: false };
      return { text: intent.kind === "retry" ? "queued again" : "cancelled", good: true };
    }
  }
}
