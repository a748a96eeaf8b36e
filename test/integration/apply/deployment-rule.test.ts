/**
 * flowgate as the apply environment's custom deployment protection rule (SPEC §5.1): it approves the
 * first attempt of a run it dispatched for a job at that step, and nothing else — not a run started by
 * hand, and not a re-run of its own run (a re-run is a new deployment nobody approved).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import { deploymentProtectionRuleEvent } from "../../support/webhooks.js";
import { configFiles, mergePull, openPull, REPO, waitForDispatch } from "./support.js";

const APPLY_AT_ONCE = `apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: dev-fast }
spec:
  selector: { kind: environment, id: development }
  flowControl:
    previewBeforeUpdateOrDestroy: false
    pauseBetweenPreviewAndUpdateOrDestroy: false
`;

describe("the deployment protection rule", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    seedRepo(h.gh, configFiles([{ name: "web", environment: "development" }], APPLY_AT_ONCE));
    h.gh.setPermission(REPO, "alice", "write");
  });
  afterEach(async () => {
    await h.stop();
  });

  it("approves the first attempt of the apply flowgate dispatched, and refuses a re-run of it", async () => {
    const sha = await mergePull(h, (await openPull(h, ["web"], { branch: "change" })).number);
    const dispatch = await waitForDispatch(h, { stack: "web", operation: "apply", sha });
    const run = h.gh.runs(REPO).find((r) => r.id === dispatch.runId)!;
    // GitHub asks once the run waits on the environment; by then flowgate has recorded its dispatch.
    await h.waitFor(async () => {
      const jobId = await h.app.runtime.jobs.byRun(run.id);
      return jobId && (await h.app.runtime.jobs.get(jobId))?.status === "applying";
    }, "the job to record its apply run");
    await h.gh.sendWebhook(
      "deployment_protection_rule",
      deploymentProtectionRuleEvent(h.gh, run, { environment: "flowgate-apply" }),
    );
    const first = await h.waitFor(() => h.gh.protectionRuleReviews(REPO)[0], "the first answer");
    expect(first).toMatchObject({ runId: run.id, state: "approved" });

    // Someone re-runs the run while the job still reads `applying`.
    run.runAttempt = 2;
    await h.gh.sendWebhook(
      "deployment_protection_rule",
      deploymentProtectionRuleEvent(h.gh, run, { environment: "flowgate-apply" }),
    );
    const second = await h.waitFor(() => h.gh.protectionRuleReviews(REPO)[1], "the answer to the re-run");
    expect(second).toMatchObject({ runId: run.id, state: "rejected" });
    expect(second.comment).toContain("attempt 2 is a re-run");
  });
});
