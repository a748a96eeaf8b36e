import type { Runtime } from "../../runtime/runtime.js";
import type { FlowgateEvent } from "../../webhooks/events.js";
import { evaluatePullNow } from "../pull/now.js";

type ReviewEvent = Extract<FlowgateEvent, { type: "review" }>;

export async function handleReviewEvent(rt: Runtime, event: ReviewEvent, receivedAt: number): Promise<void> {
  const { repo, number, review } = event;
  if (event.action === "dismissed") await dismiss(rt, event);
  // A replayed `submitted` delivery of a review dismissed since must not bring it back.
  else if (await rt.pulls.wasDismissed(repo.repoId, number, review.id)) return;
  else await rt.pulls.putReview(repo.repoId, number, review);
  await evaluatePullNow(rt, repo, number, `review ${event.action}`, receivedAt);
}

/**
 * SPEC §3.1: a rejection stands until the same reviewer approves or a new push. Whoever may dismiss
 * reviews can dismiss one, but the PR's author and pushers cannot lift a rejection of their own change
 * that way: their dismissal is recorded and the rejection keeps counting.
 */
async function dismiss(rt: Runtime, event: ReviewEvent): Promise<void> {
  const { repo, number, review } = event;
  const stored = await rt.pulls.review(repo.repoId, number, review.id);
  const record = await rt.pulls.get(repo.repoId, number);
  const dismisser = event.sender.toLowerCase();
  const authorSide =
    record !== undefined &&
    (record.facts.author.toLowerCase() === dismisser ||
      record.pushers.some((p) => p.toLowerCase() === dismisser));
  if (stored?.state === "CHANGES_REQUESTED" && authorSide) {
    await rt.audit.record({
      type: "rejection-dismissal-refused",
      repo: `${repo.owner}/${repo.repo}`,
      pr: number,
      actor: event.sender,
      reason: `@${event.sender} wrote or pushed to this PR and dismissed @${review.login}'s rejection: it still counts until @${review.login} approves or a new push`,
    });
    return;
  }
  await rt.pulls.deleteReview(repo.repoId, number, review.id);
}
