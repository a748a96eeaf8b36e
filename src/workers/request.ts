import type { Runtime } from "../runtime/runtime.js";
import type { RepoInfo } from "../webhooks/events.js";

/**
 * Ask for a fresh evaluation of a PR. Each request gets a number; an evaluation covers every request
 * made before it started, so a burst of events costs one evaluation, not one each.
 */
export async function requestPullEvaluation(
  rt: Runtime,
  repo: RepoInfo,
  number: number,
  reason: string,
  receivedAt?: number,
): Promise<void> {
  const seq = await rt.pulls.bumpSeq(repo.repoId, number);
  await rt.queues.addPull({ repo, number, reason, ...(receivedAt ? { receivedAt } : {}) }, seq);
}
