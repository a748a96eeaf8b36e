import { type ApprovalEvent, countApprovals, peopleFacts } from "../../engine/approvals.js";
import { mayApply, permissionAtLeast } from "../../engine/authority.js";
import { scopeStacks } from "../../engine/commands.js";
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
  const command = request.command;
  const scope = scopeStacks(
    command,
    jobs.map((j) => j.stack),
  );
  const lines: string[] = scope.unknown.length
    ? [`not stacks of this merge, ignored: ${scope.unknown.join(", ")}`]
    : [];
  const port = rt.github(repo);
  let ok = scope.unknown.length === 0;
  const by = { login: request.login, type: "user" as const };
  for (const job of jobs.filter((j) => scope.stacks.includes(j.stack))) {
    const say = (text: string, good = true) => {
      lines.push(`\`${job.stack}\`: ${text}`);
      if (!good) ok = false;
    };
    switch (command.name) {
      case "apply": {
        if (job.status !== "pending" && job.status !== "awaiting_start") {
          say(`nothing to start (${job.status})`, scope.stacks.length > 1);
          break;
        }
        const decision = await mayActOn(rt, port, job, record, request.login);
        if (!decision.allowed) {
          say(`refused: ${decision.reason}`, false);
          break;
        }
        const applied = await applyJobEvent(rt, job.id, { type: "start", by });
        await rt.applies.notPending(job.installationId, job.id);
        await rt.queues.addStep(
          { step: "advance", jobId: job.id, reason: "/apply" },
          safeId("advance", job.id, "start", request.id),
        );
        say(
          applied?.accepted ? "started" : `not started: ${applied?.note ?? "unknown job"}`,
          applied?.accepted === true,
        );
        break;
      }
      case "approve": {
        if (job.status !== "awaiting_approval") {
          say(`not waiting for approval (${job.status})`, scope.stacks.length > 1);
          break;
        }
        const result = await approveApplyJob(rt, job, record, {
          id: `comment-${request.id}`,
          kind: "approve",
          source: "comment",
          login: request.login,
          isBot: false,
          at: new Date(request.at),
          headSha: job.sha,
        });
        if (result.satisfied) {
          const applied = await applyJobEvent(rt, job.id, {
            type: "approved",
            approvers: result.approvers,
            carriedOver: false,
          });
          say(
            applied?.accepted
              ? `approved by ${result.approvers.map((a) => `@${a}`).join(", ")}: applying`
              : `approval recorded (${applied?.note})`,
          );
        } else say(result.message, !result.message.startsWith("not counted"));
        break;
      }
      case "reject": {
        const decision = await mayActOn(rt, port, job, record, request.login);
        if (!decision.allowed) {
          say(`refused: ${decision.reason}`, false);
          break;
        }
        const applied = await applyJobEvent(rt, job.id, {
          type: "cancel",
          by: request.login,
          reason: `rejected${command.name === "reject" && command.reason ? `: ${command.reason}` : ""}`,
        });
        rt.metrics.rejections.inc({ policy: job.policy.name });
        say(
          applied?.accepted ? "rejected: the job is cancelled" : `nothing to reject (${job.status})`,
          applied?.accepted === true,
        );
        break;
      }
      case "retry":
      case "cancel": {
        const permission = await permissionOf(rt, port, repo.repoId, request.login);
        if (!permissionAtLeast(permission, "write")) {
          say(`refused: needs write permission, you have ${permission}`, false);
          break;
        }
        const applied =
          command.name === "retry"
            ? await applyJobEvent(rt, job.id, { type: "retry", by })
            : await applyJobEvent(rt, job.id, { type: "cancel", by: request.login, reason: "/cancel" });
        if (applied?.accepted && command.name === "retry") {
          await rt.queues.addStep(
            { step: "advance", jobId: job.id, reason: "/retry" },
            safeId("advance", job.id, "retry", request.id),
          );
        }
        say(
          applied?.accepted
            ? command.name === "retry"
              ? "queued again"
              : "cancelled"
            : `nothing to ${command.name} (${job.status})`,
          applied?.accepted === true,
        );
        break;
      }
      default:
        say(`\`/${command.name}\` has no effect after the merge`, false);
    }
  }
  return { ok, message: lines.length ? `\n${lines.map((l) => `- ${l}`).join("\n")}` : "nothing to do" };
}
