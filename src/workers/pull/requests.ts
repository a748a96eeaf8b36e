import type { CommandIntent } from "../../engine/pull/commands.js";
import type { GitHubPort } from "../../github/port.js";
import { escapeText } from "../../render/markdown.js";
import type { Runtime } from "../../runtime/runtime.js";
import type { PullRecord } from "../../state/pulls.js";
import { applyJobEvent } from "../jobs/driver.js";
import { startPlanJob } from "./plans.js";
import { replyToCommand } from "./reply.js";

/**
 * Carries out what the PR's commands were decided to do (SPEC §3.2), each once: plans, retries,
 * cancels and overrides act here; approvals and rejections become events, answered after counting.
 * Returns whether anything changed that the evaluation must read again.
 */
export async function carryOutCommands(
  rt: Runtime,
  port: GitHubPort,
  record: PullRecord,
  intents: readonly CommandIntent[],
): Promise<boolean> {
  const { repo, facts } = record;
  const repoName = `${repo.owner}/${repo.repo}`;
  let changed = false;
  for (const intent of intents) {
    const { request } = intent;
    switch (intent.kind) {
      case "record-approval":
        await rt.pulls.addEvent(repo.repoId, facts.number, intent.event);
        if (intent.event.kind === "reject")
          await rt.audit.record({
            type: "rejection",
            repo: repoName,
            pr: facts.number,
            actor: request.login,
            reason: intent.event.reason ?? "",
          });
        changed = true;
        // answered, and finished, once the evaluation has counted it
        continue;
      case "answer":
        await replyToCommand(port, record, request, intent.ok, intent.lines);
        break;
      case "start-plans":
        for (const start of intent.starts) {
          await startPlanJob(
            rt,
            record,
            start.stack,
            start.resolution,
            { login: request.login, type: "user" },
            { sha: start.sha, attempt: start.attempt, replace: true },
          );
          changed = true;
        }
        await replyToCommand(port, record, request, intent.ok, intent.lines);
        break;
      case "cancel-plans": {
        const lines = [...intent.lines];
        for (const { stack, jobId } of intent.jobs) {
          const applied = jobId
            ? await applyJobEvent(rt, jobId, { type: "cancel", by: request.login, reason: "/cancel" })
            : undefined;
          if (applied?.accepted) changed = true;
          lines.push(
            `- \`${stack}\`: ${applied?.accepted ? "cancelled" : `nothing to cancel${applied ? ` (${applied.note})` : ""}`}`,
          );
        }
        await replyToCommand(port, record, request, true, lines);
        break;
      }
      case "override-refused":
        await rt.audit.record({
          type: "override-refused",
          repo: repoName,
          pr: facts.number,
          actor: request.login,
          reason: intent.refusals.join("; "),
        });
        await replyToCommand(port, record, request, false, intent.refusals);
        break;
      case "override": {
        const names = intent.stacks.map((a) => a.stack.name);
        const reason = request.command.name === "override" ? request.command.reason : "";
        await rt.pulls.addOverride(repo.repoId, facts.number, {
          login: request.login,
          at: request.at,
          reason,
          headSha: facts.headSha,
          commentId: request.commentId,
        });
        for (const a of intent.stacks) rt.metrics.overrides.inc({ environment: a.stack.environment });
        await rt.audit.record({
          type: "override",
          repo: repoName,
          pr: facts.number,
          actor: request.login,
          reason,
          decision: `approvals, gates and schedules bypassed for ${facts.headSha}`,
          stack: names.join(","),
        });
        const cc = intent.notify.map((n) => (n.startsWith("@") ? n : `@${n}`)).join(" ");
        await port.addReaction(request.commentId, "+1");
        await port.createComment(
          facts.number,
          `🚨 **Break-glass override** by @${request.login} at ${request.at} for head \`${facts.headSha.slice(0, 7)}\` ` +
            `(stacks: ${names.map((n) => `\`${n}\``).join(", ")}). Approvals, gates and schedules are bypassed for this head; the plan is not.\n\n` +
            `Reason: ${escapeText(reason, 500)}${cc ? `\n\ncc ${cc}` : ""}`,
        );
        changed = true;
        break;
      }
      case "finish":
        break;
    }
    await rt.pulls.finishRequest(repo.repoId, facts.number, request);
  }
  return changed;
}
