import type { StackJob } from "../../engine/stack-job/types.js";
import { TERMINAL_STATUSES } from "../../engine/stack-job/types.js";
import { safeId } from "../../queue/queues.js";
import type { Runtime } from "../../runtime/runtime.js";
import type { DeferredDispatch } from "./driver.js";

/**
 * Dispatches in the calling worker; if that fails (GitHub 5xx, a rate limit, a run not visible yet)
 * the dispatch step is queued and retried with backoff, as a queued dispatch would be.
 */
export async function dispatchNow(rt: Runtime, { jobId, runIndex }: DeferredDispatch): Promise<void> {
  try {
    await rt.wiring.steps.dispatch(rt, { step: "dispatch", jobId, runIndex });
  } catch (error) {
    rt.log.info({ err: error, jobId }, "the dispatch failed; it is queued to be retried");
    await rt.queues.addStep({ step: "dispatch", jobId, runIndex }, safeId("dispatch", jobId, runIndex));
  }
}

/**
 * A run decided but never claimed for dispatch: the worker that decided it stopped before dispatching
 * (a crash). The next evaluation of its PR dispatches it; the claim keeps it to one dispatch.
 */
export function unclaimedDispatch(job: StackJob): DeferredDispatch | undefined {
  const runIndex = job.runs.length - 1;
  const run = job.runs[runIndex];
  if (!run || TERMINAL_STATUSES.has(job.status)) return undefined;
  if (run.status !== "dispatching" || run.runId !== undefined || run.attemptedAt) return undefined;
  return { jobId: job.id, runIndex };
}
