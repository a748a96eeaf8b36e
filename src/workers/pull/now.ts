import type { RepoInfo } from "../../model/repo.js";
import type { Runtime } from "../../runtime/runtime.js";
import { processPullJob } from "./process.js";

/**
 * The PR an event is about is evaluated by the event's own worker, not through one more queue: a
 * queue hop cost about a tenth of a PR event's Redis commands and its latency (issue 11). Nothing is
 * lost: the event's job completes only after the evaluation, and a failure retries the event, whose
 * handling is idempotent. Another worker already evaluating the PR sees the new request number and
 * evaluates again, as for a queued request.
 */
export async function evaluatePullNow(
  rt: Runtime,
  repo: RepoInfo,
  number: number,
  reason: string,
  receivedAt?: number,
  /** a write the caller started, sent in the same round trip as the event's count */
  alongside?: Promise<unknown>,
): Promise<void> {
  // The count goes out in the same round trip as the lease that follows it: Redis runs them in order,
  // so the lease holder (this worker or another) reads the new count (issue 11).
  const counted = Promise.all([alongside, rt.pulls.bumpSeq(repo.repoId, number)]);
  await Promise.all([
    counted,
    processPullJob(rt, { repo, number, reason, ...(receivedAt ? { receivedAt } : {}) }, false),
  ]);
}
