/**
 * SPEC §2.2: schedules decide for an apply when it is dispatched. A job held (by a gate) across a
 * schedule boundary follows the policy in force when it would be dispatched, not the one at the merge.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import { issueCommentEvent } from "../../support/webhooks.js";
import {
  completePullPlan,
  configFiles,
  dispatchesOf,
  expectOneCheckPerJob,
  mergePull,
  openPull,
  REPO,
  settle,
  waitForApplyCheck,
} from "./support.js";

describe("schedules at dispatch time", () => {
  let h: Harness;
  afterEach(async () => {
    expectOneCheckPerJob(h);
    await h.stop();
  });

  it("a job held across the boundary into hours where the stack is manual waits for /apply", async () => {
    // A clock a few seconds before the next full hour (UTC).
    const boundary = Math.ceil((Date.now() + 1) / 3_600_000) * 3_600_000 + 3_600_000;
    const offset = boundary - 5_000 - Date.now();
    const clock = { now: () => new Date(Date.now() + offset) };
    const after = new Date(boundary).getUTCHours();
    const policy = `apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: prod-hours }
spec:
  selector: { kind: environment, id: production }
  flowControl:
    previewBeforeUpdateOrDestroy: true
    pauseBetweenPreviewAndUpdateOrDestroy: false
    schedule:
      - { hours: "${after}-${after + 1}", policy: { isManual: true } }
---
apiVersion: flowgate/v1
kind: Gate
metadata: { name: deploy-window }
spec: { default: closed, blocks: [apply] }
`;
    h = await startHarness({ clock });
    seedRepo(
      h.gh,
      configFiles([{ name: "web", environment: "production", gates: ["deploy-window"] }], policy),
    );
    h.gh.setPermission(REPO, "alice", "write");
    h.gh.setPermission(REPO, "maria", "maintain");

    const pull = await openPull(h, ["web"]);
    await completePullPlan(h, "web");
    const sha = await mergePull(h, pull.number);
    await waitForApplyCheck(
      h,
      sha,
      "web",
      (c) => (c.output.summary ?? "").includes("waiting for gate deploy-window"),
      "held by the gate",
    );
    // Let the app's clock cross into the manual hour, then open the gate.
    while (clock.now().getTime() < boundary + 200) await settle(100);
    const issue = h.gh.openIssue(REPO, { title: "window", user: "maria" });
    await h.gh.sendWebhook(
      "issue_comment",
      issueCommentEvent(h.gh, issue, { login: "maria", body: "/open-gate deploy-window 1h" }),
    );
    const waiting = await waitForApplyCheck(
      h,
      sha,
      "web",
      (c) => (c.output.summary ?? "").includes("isManual now holds"),
      "the job to wait for /apply",
    );
    expect(waiting.status).toBe("queued");
    await settle(300);
    expect(dispatchesOf(h, { operation: "plan", sha })).toHaveLength(0);
  });
});
