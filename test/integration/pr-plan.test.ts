import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, planResult, seedRepo, startHarness } from "../support/harness.js";
import { pullRequestEvent } from "../support/webhooks.js";

const CONFIG = `apiVersion: flowgate/v1
kind: Stack
metadata: { name: billing-db }
spec:
  kind: aws_rds
  environment: production
  dir: infra/prod/billing-db
---
apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: production-careful }
spec:
  selector: { kind: environment, id: production }
  flowControl:
    previewBeforeUpdateOrDestroy: true
    pauseBetweenPreviewAndUpdateOrDestroy: true
`;

describe("a PR touching a production stack", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it("gets the flowgate check, one plan check, exactly one dispatch, and the plan summary after the result", async () => {
    const repo = seedRepo(h.gh, {
      ".github/flowgate/stacks.yml": CONFIG,
      "infra/prod/billing-db/main.tf": "# db\n",
    });
    h.gh.setPermission(repo.fullName, "alice", "write");
    const head = h.gh.commit(repo.fullName, "resize", { "infra/prod/billing-db/main.tf": "# bigger db\n" });
    const pull = h.gh.openPull({ repo: repo.fullName, head: { ref: "resize", sha: head }, user: "alice" });
    const delivery = await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "opened", pull));
    expect(delivery.status).toBeLessThan(300);

    const dispatch = await h.waitFor(() => h.gh.dispatches(repo.fullName)[0], "a dispatch");
    expect(dispatch.ref).toBe("main");
    expect(dispatch.inputs).toEqual({
      job_id: expect.stringMatching(/^[A-Za-z0-9._-]+$/),
      stack: "billing-db",
      operation: "plan",
      sha: head,
      path: "infra/prod/billing-db",
      refresh: "true",
      plan_run_id: "",
    });
    const aggregate = await h.waitFor(
      () => h.gh.checkRuns(repo.fullName, { headSha: head, name: "flowgate" })[0],
      "the flowgate check",
    );
    expect(aggregate.status).toBe("in_progress");
    const planCheck = await h.waitFor(
      () => h.gh.checkRuns(repo.fullName, { headSha: head, name: "flowgate/plan: billing-db" })[0],
      "the plan check",
    );
    expect(planCheck.externalId).toBe(dispatch.inputs.job_id);

    // Redelivery of the same webhook: nothing is dispatched again.
    await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "opened", pull), {
      deliveryId: delivery.deliveryId,
    });
    await h.gh.completeRun(repo.fullName, dispatch.runId, {
      conclusion: "success",
      result: planResult(dispatch),
    });

    await h.waitFor(
      () =>
        h.gh.checkRuns(repo.fullName, { headSha: head, name: "flowgate/plan: billing-db" })[0]?.conclusion ===
        "success",
      "the plan check to complete",
    );
    const done = h.gh.checkRuns(repo.fullName, { headSha: head, name: "flowgate/plan: billing-db" })[0]!;
    expect(done.output.title).toBe("+1 ~2 -0");
    expect(done.output.text).toContain("aws_db_instance.db_0");
    expect(done.actions.map((a) => a.identifier)).toEqual(["approve"]);
    const sticky = await h.waitFor(
      () => h.gh.comments(repo.fullName, pull.number).find((c) => c.body.includes("+1 ~2 -0")),
      "the sticky comment with the plan summary",
    );
    expect(sticky.body).toContain("production-careful");
    expect(sticky.body).toContain("0 of 1");
    expect(h.gh.dispatches(repo.fullName)).toHaveLength(1);
    expect(
      h.gh.comments(repo.fullName, pull.number).filter((c) => c.body.includes("flowgate:sticky")),
    ).toHaveLength(1);
  });
});
