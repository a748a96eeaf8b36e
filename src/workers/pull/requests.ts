import type { Runtime } from "../../app/runtime.js";
import type { Stack } from "../../config/types.js";
import type { ApprovalEvent, StackApproval } from "../../engine/approvals.js";
import { mayBreakGlass, mayPlanFork, permissionAtLeast } from "../../engine/authority.js";
import { scopeStacks } from "../../engine/commands.js";
import type { Resolution } from "../../engine/resolve/resolve.js";
import type { GitHubPort } from "../../github/port.js";
import { escapeText } from "../../render/markdown.js";
import type { CommandRequest, PullRecord } from "../../state/pulls.js";
import { applyJobEvent } from "../jobs/driver.js";
import { isTeamMember, permissionOf } from "./people.js";
import { startPlanJob } from "./plans.js";

export interface AffectedStack {
  stack: Stack;
  resolution: Resolution;
}

/** An /approve or /reject whose per-stack outcome is known only after counting. */
export interface ApprovalReply {
  request: CommandRequest;
  eventId: string;
  stacks: string[];
  unknown: string[];
  /** named no stack: it also acts on what the whole PR needs (unowned files, a configuration change) */
  general: boolean;
}

/** An approval the whole PR needs besides its stacks' (SPEC §2.1 unowned files, §2.3 configuration). */
export interface PullLevelApproval {
  label: string;
  approval: StackApproval;
}

export interface RequestOutcome {
  approvalReplies: ApprovalReply[];
  /** a break-glass override was recorded for the current head */
  overridden: boolean;
}

/**
 * A comment made before the current head was pushed, whose webhook arrived after the push was seen:
 * its author saw an older head, so it must not act on this one (SPEC §3: a `/plan` plans the head as it
 * was when the comment was made).
 */
function commentPredatesHead(request: CommandRequest, record: PullRecord): boolean {
  const at = Date.parse(request.at);
  const pushed = Date.parse(record.headPushedAt);
  return Number.isFinite(at) && Number.isFinite(pushed) && at < pushed;
}

function attemptOf(jobId: string | undefined): number {
  return jobId ? Number(/-(\d+)$/.exec(jobId)?.[1] ?? 1) : 0;
}

async function reply(
  port: GitHubPort,
  record: PullRecord,
  request: CommandRequest,
  ok: boolean,
  lines: string[],
): Promise<void> {
  await port.addReaction(request.commentId, ok ? "+1" : "confused");
  if (!ok || lines.length > 1)
    await port.createComment(
      record.facts.number,
      `@${request.login} \`/${request.command.name}\`:\n\n${lines.join("\n")}`,
    );
}

/**
 * Carries out the commands queued for this PR (SPEC §3.2), once each: plans, retries, cancels and
 * overrides act here; approvals and rejections become events whose outcome is replied after counting.
 */
export async function carryOutRequests(
  rt: Runtime,
  port: GitHubPort,
  record: PullRecord,
  affected: readonly AffectedStack[],
): Promise<RequestOutcome> {
  const { repo, facts } = record;
  const outcome: RequestOutcome = { approvalReplies: [], overridden: false };
  const names = affected.map((a) => a.stack.name);
  for (const request of await rt.pulls.pendingRequests(repo.repoId, facts.number)) {
    const { command } = request;
    const scope = scopeStacks(command, names);
    const unknownNote = scope.unknown.length
      ? [`- not affected by this PR, ignored: ${scope.unknown.map((s) => `\`${s}\``).join(", ")}`]
      : [];
    if (
      (request.headSha !== facts.headSha || commentPredatesHead(request, record)) &&
      command.name !== "approve" &&
      command.name !== "reject"
    ) {
      await reply(port, record, request, false, [
        request.headSha !== facts.headSha
          ? `- the head moved since your comment (${request.headSha.slice(0, 7)} → ${facts.headSha.slice(0, 7)}); comment again`
          : `- the head moved since your comment (${facts.headSha.slice(0, 7)} was pushed after it); comment again`,
      ]);
    } else
      switch (command.name) {
        case "approve":
        case "reject": {
          const event: ApprovalEvent = {
            id: `comment-${request.id}`,
            kind: command.name === "approve" ? "approve" : "reject",
            source: "comment",
            login: request.login,
            isBot: false,
            at: new Date(request.at),
            headSha: request.headSha,
            seq: request.commentId,
            ...(scope.stacks.length < names.length || (command.name === "approve" && command.args.length > 0)
              ? { stacks: scope.stacks }
              : {}),
            ...(command.name === "reject" && (scope.reason ?? command.reason)
              ? { reason: scope.reason ?? command.reason }
              : {}),
          };
          await rt.pulls.addEvent(repo.repoId, facts.number, event);
          if (command.name === "reject") {
            await rt.audit.record({
              type: "rejection",
              repo: `${repo.owner}/${repo.repo}`,
              pr: facts.number,
              actor: request.login,
              reason: event.reason ?? "",
            });
          }
          outcome.approvalReplies.push({
            request,
            eventId: event.id,
            stacks: scope.stacks,
            unknown: scope.unknown,
            general: event.stacks === undefined,
          });
          break;
        }
        case "plan":
        case "retry": {
          const permission = await permissionOf(rt, port, repo.repoId, request.login);
          const allowed = facts.fork ? mayPlanFork(permission) : permissionAtLeast(permission, "write");
          if (!allowed) {
            const need = facts.fork
              ? "admin or maintain permission (this PR is from a fork)"
              : "write permission";
            await reply(port, record, request, false, [
              `- refused: \`/${command.name}\` needs ${need}; you have ${permission}`,
            ]);
            break;
          }
          const lines: string[] = [...unknownNote];
          for (const name of scope.stacks) {
            const a = affected.find((x) => x.stack.name === name)!;
            if (!a.resolution.flow.previewBeforeUpdateOrDestroy) {
              lines.push(`- \`${name}\`: no plan (previewBeforeUpdateOrDestroy is false)`);
              continue;
            }
            const current = await rt.pulls.planJobId(repo.repoId, facts.number, facts.headSha, name);
            const job = current ? await rt.jobs.get(current) : undefined;
            if (
              command.name === "retry" &&
              !(job && ["failed", "timed_out", "cancelled"].includes(job.status))
            ) {
              lines.push(`- \`${name}\`: nothing to retry (${job ? job.status : "no plan yet"})`);
              continue;
            }
            if (
              job &&
              !["succeeded", "failed", "timed_out", "cancelled", "superseded"].includes(job.status)
            ) {
              lines.push(`- \`${name}\`: a plan is already ${job.status}`);
              continue;
            }
            await startPlanJob(
              rt,
              record,
              a.stack,
              a.resolution,
              { login: request.login, type: "user" },
              {
                sha: request.headSha,
                attempt: attemptOf(current) + 1,
                replace: true,
              },
            );
            lines.push(`- \`${name}\`: plan started for ${request.headSha.slice(0, 7)}`);
          }
          await reply(port, record, request, scope.unknown.length === 0, lines);
          break;
        }
        case "cancel": {
          const permission = await permissionOf(rt, port, repo.repoId, request.login);
          if (!permissionAtLeast(permission, "write")) {
            await reply(port, record, request, false, [
              `- refused: \`/cancel\` needs write permission; you have ${permission}`,
            ]);
            break;
          }
          const lines: string[] = [...unknownNote];
          for (const name of scope.stacks) {
            const current = await rt.pulls.planJobId(repo.repoId, facts.number, facts.headSha, name);
            const applied = current
              ? await applyJobEvent(rt, current, { type: "cancel", by: request.login, reason: "/cancel" })
              : undefined;
            lines.push(
              `- \`${name}\`: ${applied?.accepted ? "cancelled" : `nothing to cancel${applied ? ` (${applied.note})` : ""}`}`,
            );
          }
          await reply(port, record, request, true, lines);
          break;
        }
        case "override": {
          const refusals: string[] = [];
          const notify = new Set<string>();
          for (const a of affected) {
            const bg = a.resolution.flow.breakGlass;
            const teams: string[] = [];
            for (const team of bg?.allowedTeams ?? [])
              if (await isTeamMember(rt, port, repo.owner, team, request.login)) teams.push(team);
            const decision = mayBreakGlass(bg, { login: request.login, teams });
            if (!decision.allowed) refusals.push(`- \`${a.stack.name}\`: ${decision.reason}`);
            for (const n of bg?.notify ?? []) notify.add(n);
          }
          if (affected.length === 0) refusals.push("- no stack is affected: there is nothing to override");
          if (refusals.length) {
            await rt.audit.record({
              type: "override-refused",
              repo: `${repo.owner}/${repo.repo}`,
              pr: facts.number,
              actor: request.login,
              reason: refusals.join("; "),
            });
            await reply(port, record, request, false, refusals);
            break;
          }
          const reason = command.reason;
          await rt.pulls.addOverride(repo.repoId, facts.number, {
            login: request.login,
            at: request.at,
            reason,
            headSha: facts.headSha,
            commentId: request.commentId,
          });
          for (const a of affected) rt.metrics.overrides.inc({ environment: a.stack.environment });
          await rt.audit.record({
            type: "override",
            repo: `${repo.owner}/${repo.repo}`,
            pr: facts.number,
            actor: request.login,
            reason,
            decision: `approvals, gates and schedules bypassed for ${facts.headSha}`,
            stack: names.join(","),
          });
          const cc = [...notify].map((n) => (n.startsWith("@") ? n : `@${n}`)).join(" ");
          await port.addReaction(request.commentId, "+1");
          await port.createComment(
            facts.number,
            `🚨 **Break-glass override** by @${request.login} at ${request.at} for head \`${facts.headSha.slice(0, 7)}\` ` +
              `(stacks: ${names.map((n) => `\`${n}\``).join(", ")}). Approvals, gates and schedules are bypassed for this head; the plan is not.\n\n` +
              `Reason: ${escapeText(reason, 500)}${cc ? `\n\ncc ${cc}` : ""}`,
          );
          outcome.overridden = true;
          break;
        }
        default:
          break;
      }
    if (command.name !== "approve" && command.name !== "reject")
      await rt.pulls.finishRequest(repo.repoId, facts.number, request);
  }
  return outcome;
}

/** After counting: tell each approver what their /approve or /reject did, per stack (SPEC §3.1). */
export async function answerApprovals(
  rt: Runtime,
  port: GitHubPort,
  record: PullRecord,
  replies: readonly ApprovalReply[],
  approvals: readonly StackApproval[],
  pullLevel: readonly PullLevelApproval[] = [],
): Promise<void> {
  for (const r of replies) {
    const lines: string[] = [];
    let ok = r.unknown.length === 0;
    if (r.unknown.length)
      lines.push(`- not affected by this PR, ignored: ${r.unknown.map((s) => `\`${s}\``).join(", ")}`);
    const answers = [
      ...approvals.filter((x) => r.stacks.includes(x.stack)).map((a) => ({ label: `\`${a.stack}\``, a })),
      ...(r.general ? pullLevel.map((p) => ({ label: p.label, a: p.approval })) : []),
    ];
    for (const { label, a } of answers) {
      const counted = a.counted.find((c) => c.eventId === r.eventId);
      const refused = a.refused.find((x) => x.eventId === r.eventId);
      const blocking = a.blockedBy.find((b) => b.eventId === r.eventId);
      if (counted) lines.push(`- ${label}: counted (${a.counted.length} of ${a.required})`);
      else if (blocking)
        lines.push(`- ${label}: rejection recorded; it blocks until you approve or a new commit is pushed`);
      else if (refused) {
        ok = false;
        lines.push(`- ${label}: not counted: ${refused.reason}`);
      } else if (a.required === 0) lines.push(`- ${label}: no approval needed`);
      else lines.push(`- ${label}: already counted from an earlier approval of yours`);
    }
    if (answers.length === 0 && !r.unknown.length) lines.push("- no stack is affected by this PR");
    await reply(port, record, r.request, ok, lines);
    await rt.pulls.finishRequest(record.repo.repoId, record.facts.number, r.request);
  }
}
