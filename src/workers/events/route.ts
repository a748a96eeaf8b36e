import type { EventJob } from "../../queue/queues.js";
import type { Runtime } from "../../runtime/runtime.js";

/** Routes one queued webhook to what it means for flowgate, as the runtime's wiring says. */
export async function routeEvent(rt: Runtime, data: EventJob): Promise<void> {
  const handler = rt.wiring.events[data.event.type] as
    | ((rt: Runtime, event: EventJob["event"], data: EventJob) => Promise<void>)
    | undefined;
  if (handler) await handler(rt, data.event, data);
}
