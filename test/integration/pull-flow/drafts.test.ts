import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import { pullRequestEvent } from "../../support/webhooks.js";
import { latestCheck, openPull, quiet, TWO_STACK_FILES, waitForAggregate } from "./support.js";

describe("a draft PR", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it("is not planned until ready_for_review, then gets exactly one dispatch", async () => {
    const repo = seedRepo(h.gh, TWO_STACK_FILES);
    h.gh.setPermission(repo.fullName, "alice", "write");
    const { pull, head } = await openPull(
      h,
      repo,
      "wip",
      { "infra/prod/billing-db/main.tf": "# wip\n" },
      { draft: true },
    );

    const waiting = await waitForAggregate(h, repo, head, "in_progress");
    expect(waiting.output.title).toMatch(/draft/);
    const planCheck = latestCheck(h, repo, head, "flowgate/plan: billing-db");
    expect(planCheck?.output.title).toBe("Waiting for /plan");
    expect(planCheck?.output.summary).toMatch(/ready for review/);
    await quiet(h);
    expect(h.gh.dispatches(repo.fullName)).toEqual([]);

    h.gh.setDraft(repo.fullName, pull.number, false);
    // GitHub may deliver the event more than once (two deliveries, not a redelivery).
    await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "ready_for_review", pull));
    await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "ready_for_review", pull));
    const dispatch = await h.waitFor(() => h.gh.dispatches(repo.fullName)[0], "the plan");
    expect(dispatch.inputs).toMatchObject({ stack: "billing-db", sha: head, operation: "plan" });
    await h.waitFor(
      () => latestCheck(h, repo, head, "flowgate/plan: billing-db")?.output.title === "Planning",
      "the plan check to show the plan",
    );
    await quiet(h);
    expect(h.gh.dispatches(repo.fullName)).toHaveLength(1);
    expect(latestCheck(h, repo, head, "flowgate")?.output.title).not.toMatch(/draft/);
  });
});
