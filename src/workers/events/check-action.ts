import type { Runtime } from "../../app/runtime.js";
import { APPROVE_ACTION } from "../../render/pull-checks.js";
import type { FlowgateEvent } from "../../webhooks/events.js";
import { requestPullEvaluation } from "../request.js";

type CheckActionEvent = Extract<FlowgateEvent, { type: "check-action" }>;

/** The Approve button on a plan check (SPEC §3.1): an approval by whoever clicked, bound to the check's head. */
export async function handleCheckAction(
  rt: Runtime,
  event: CheckActionEvent,
  deliveryId: string,
  receivedAt: number,
): Promise<void> {
  if (event.identifier !== APPROVE_ACTION || !event.checkRun.externalId) return;
  const job = await rt.jobs.get(event.checkRun.externalId);
  if (!job || job.owner !== event.repo.owner || job.repo !== event.repo.repo || !job.prNumber) return;
  await rt.pulls.addEvent(event.repo.repoId, job.prNumber, {
    id: `button-${deliveryId}`,
    kind: "approve",
    source: "button",
    login: event.sender.login,
    isBot: event.sender.isBot,
    at: new Date(event.at),
    headSha: event.checkRun.headSha,
    stacks: [job.stack],
  });
  await requestPullEvaluation(rt, event.repo, job.prNumber, "approve button", receivedAt);
}
