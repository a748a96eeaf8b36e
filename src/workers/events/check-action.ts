import { APPROVE_ACTION } from "../../render/pull-checks.js";
import type { Runtime } from "../../runtime/runtime.js";
import type { FlowgateEvent } from "../../webhooks/events.js";
import { approveApplyJob } from "../apply/commands.js";
import { applyJobEvent } from "../jobs/driver.js";
import { evaluatePullNow } from "../pull/now.js";

type CheckActionEvent = Extract<FlowgateEvent, { type: "check-action" }>;

/**
 * The Approve button (SPEC §3.1): an approval by whoever clicked, bound to the check's head, under
 * the same rules as any other approval. On a plan check it approves the PR's stack; on an apply check
 * it approves the waiting apply job.
 */
export async function handleCheckAction(
  rt: Runtime,
  event: CheckActionEvent,
  deliveryId: string,
  receivedAt: number,
): Promise<void> {
  if (event.identifier !== APPROVE_ACTION || !event.checkRun.externalId) return;
  const job = await rt.jobs.get(event.checkRun.externalId);
  if (!job || job.owner !== event.repo.owner || job.repo !== event.repo.repo) return;
  const approval = {
    id: `button-${deliveryId}`,
    kind: "approve" as const,
    source: "button" as const,
    login: event.sender.login,
    isBot: event.sender.isBot,
    at: new Date(event.at),
    headSha: event.checkRun.headSha,
    stacks: [job.stack],
  };
  // A click carries no time of its own: it counts once per person and check run, so a signed delivery
  // replayed under a new id adds nothing (to approve again after rejecting, comment /approve).
  const firstClick = () => rt.pulls.firstClick(event.checkRun.id, event.sender.login);
  if (job.kind === "apply") {
    if (job.status !== "awaiting_approval" || !(await firstClick())) return;
    const record = job.prNumber ? await rt.pulls.get(event.repo.repoId, job.prNumber) : undefined;
    const result = await approveApplyJob(rt, job, record, approval);
    if (result.satisfied)
      await applyJobEvent(rt, job.id, { type: "approved", approvers: result.approvers, carriedOver: false });
    return;
  }
  if (!job.prNumber || !(await firstClick())) return;
  await rt.pulls.addEvent(event.repo.repoId, job.prNumber, approval);
  await evaluatePullNow(rt, event.repo, job.prNumber, "approve button", receivedAt);
}
