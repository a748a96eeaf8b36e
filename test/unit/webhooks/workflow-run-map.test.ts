import { createRequire } from "node:module";
import type { WebhookDefinition } from "@octokit/webhooks-examples";
import { describe, expect, it } from "vitest";
import { mapWebhook } from "../../../src/webhooks/map.js";

// biome-ignore lint/suspicious/noExplicitAny: webhook JSON
type Json = any;

const definitions = createRequire(import.meta.url)("@octokit/webhooks-examples") as WebhookDefinition[];
const runExamples = (definitions.find((d) => d.name === "workflow_run")?.examples ?? []) as Json[];

/** GitHub's own workflow_run example with the action, trigger and status given. */
function runEvent(action: string, event: string, status: string): Json {
  const example = structuredClone(runExamples.find((e) => e.action === action) ?? runExamples[0]);
  example.action = action;
  example.installation ??= { id: 1 };
  example.workflow_run.event = event;
  example.workflow_run.status = status;
  return example;
}

describe("which workflow_run events are queued (issue 11)", () => {
  it("has GitHub's examples to test with", () => {
    expect(runExamples.length).toBeGreaterThan(0);
  });

  it("queues the events of dispatched runs that say something new", () => {
    for (const [action, status] of [
      ["in_progress", "in_progress"],
      ["completed", "completed"],
      ["requested", "waiting"],
    ]) {
      const mapped = mapWebhook("workflow_run", runEvent(action!, "workflow_dispatch", status!));
      expect(mapped, `${action} ${status}`).toMatchObject({ type: "run", action });
    }
  });

  it("drops runs flowgate cannot have dispatched, and a dispatched run's `requested` while it is queued", () => {
    for (const trigger of ["push", "pull_request", "schedule"])
      for (const action of ["requested", "in_progress", "completed"])
        expect(mapWebhook("workflow_run", runEvent(action, trigger, "completed"))).toBeUndefined();
    expect(mapWebhook("workflow_run", runEvent("requested", "workflow_dispatch", "queued"))).toBeUndefined();
  });
});
