import type { Runtime } from "../../app/runtime.js";
import type { EventJob } from "../../queue/queues.js";
import { handleRunEvent } from "../jobs/run-update.js";
import { handleCheckAction } from "./check-action.js";
import { handleCommentEvent } from "./comment-event.js";
import { handlePeopleEvent } from "./people-event.js";
import { handlePullEvent } from "./pull-event.js";
import { handleReviewEvent } from "./review-event.js";

type Handler = (rt: Runtime, data: EventJob) => Promise<void>;

/** Handlers for events other parts of the app own (pushes, merge groups, installations, ...). */
export const extraHandlers: Partial<Record<string, Handler>> = {};

/** Routes one queued webhook to what it means for flowgate. */
export async function routeEvent(rt: Runtime, data: EventJob): Promise<void> {
  const { event } = data;
  switch (event.type) {
    case "pull":
      return handlePullEvent(rt, event, data.receivedAt);
    case "review":
      return handleReviewEvent(rt, event, data.receivedAt);
    case "comment":
      return handleCommentEvent(rt, event, data.receivedAt);
    case "check-action":
      return handleCheckAction(rt, event, data.deliveryId, data.receivedAt);
    case "run":
      return handleRunEvent(rt, event);
    case "people":
      return handlePeopleEvent(rt, event);
    case "org-config":
      return rt.config.forgetOrganization(event.repo.owner);
    default: {
      const handler = extraHandlers[event.type];
      if (handler) await handler(rt, data);
    }
  }
}
