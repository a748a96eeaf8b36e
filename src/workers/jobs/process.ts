import type { Runtime } from "../../app/runtime.js";
import type { JobStep } from "../../queue/queues.js";
import { ensureDispatched } from "./dispatch.js";
import { applyJobEvent } from "./driver.js";

type StepHandler = (rt: Runtime, step: JobStep) => Promise<void>;

/** Steps other parts of the app own (apply pipeline: advance, commit). */
export const stepHandlers: Partial<Record<JobStep["step"], StepHandler>> = {};

export async function processJobStep(rt: Runtime, step: JobStep): Promise<void> {
  switch (step.step) {
    case "dispatch":
      return ensureDispatched(rt, step.jobId, step.runIndex);
    case "timeout": {
      const job = await rt.jobs.get(step.jobId);
      // A timer for a deadline that has since moved is stale; the job's current deadline has its own.
      if (!job || job.deadline !== step.deadline) return;
      await applyJobEvent(rt, step.jobId, { type: "timeout" });
      return;
    }
    default: {
      const handler = stepHandlers[step.step];
      if (handler) await handler(rt, step);
    }
  }
}
