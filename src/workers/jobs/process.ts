import type { JobStep } from "../../queue/queues.js";
import type { Runtime } from "../../runtime/runtime.js";

/** Runs one step of a stack job or of the apply pipeline, as the runtime's wiring says. */
export async function processJobStep(rt: Runtime, step: JobStep): Promise<void> {
  const handler = rt.wiring.steps[step.step] as (rt: Runtime, step: JobStep) => Promise<void>;
  await handler(rt, step);
}
