import { TERMINAL_STATUSES } from "../../engine/stack-job/types.js";
import type { Runtime } from "../../runtime/runtime.js";
import { applyJobEvent } from "./driver.js";

const SWEEP_BATCH = 200;

/**
 * Ends the jobs whose deadline passed (SPEC §4 time limits). A deadline that has since moved, or a
 * job that ended, is only forgotten. Every worker process sweeps; the job's compare-and-set lets one
 * of them time it out, and an entry is forgotten only after its job was handled, so a crash in
 * between sweeps it again.
 */
export async function sweepDeadlines(rt: Runtime): Promise<number> {
  let ended = 0;
  for (const due of await rt.jobs.dueDeadlines(SWEEP_BATCH)) {
    const job = await rt.jobs.get(due.jobId);
    if (job && job.deadline === due.deadline && !TERMINAL_STATUSES.has(job.status)) {
      const applied = await applyJobEvent(rt, due.jobId, { type: "timeout" });
      if (applied?.accepted) ended++;
    }
    await rt.jobs.forgetDeadline(due.entry);
  }
  return ended;
}

/** Sweeps every `everyMs` until stopped; one sweep at a time, a failed one (Redis away) tried again. */
export function startDeadlineSweeps(rt: Runtime, everyMs: number): () => void {
  if (everyMs <= 0) return () => undefined;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweepDeadlines(rt)
      .catch((error) => rt.log.debug({ err: error }, "deadline sweep failed; the next one tries again"))
      .finally(() => {
        running = false;
      });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
