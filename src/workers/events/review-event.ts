import type { Runtime } from "../../app/runtime.js";
import type { FlowgateEvent } from "../../webhooks/events.js";
import { requestPullEvaluation } from "../request.js";

type ReviewEvent = Extract<FlowgateEvent, { type: "review" }>;

export async function handleReviewEvent(rt: Runtime, event: ReviewEvent, receivedAt: number): Promise<void> {
  const { repo, number, review } = event;
  if (event.action === "dismissed") await rt.pulls.deleteReview(repo.repoId, number, review.id);
  else await rt.pulls.putReview(repo.repoId, number, review);
  await requestPullEvaluation(rt, repo, number, `review ${event.action}`, receivedAt);
}
