/**
 * SPEC §4: a gate with `blocks: [apply]` holds an apply job until it opens (then the job goes on with no
 * other event); it does not hold the merge; closing it never stops a job already running.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import { issueCommentEvent } from "../../support/webhooks.js";
import {
  applyCheck,
  comment,
  completePullPlan,
  completeRun,
  concluded,
  configFiles,
  dispatchesOf,
  expectOneCheckPerJob,
  mergePull,
  openPull,
  REPO,
  settle,
  waitForApplyCheck,
  waitForDispatch,
  waitForReply,
} from "./support.js";

const POLICY_AND_GATE = `apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: prod }
spec:
  selector: { kind: environment, id: production }
  flowControl:
    previewBeforeUpdateOrDestroy: true
    pauseBetweenPreviewAndUpdateOrDestroy: false
---
apiVersion: flowgate/v1
kind: Gate
metadata: { name: deploy-window }
spec:
  default: closed
  blocks: [apply]
`;

describe("a gate that blocks apply", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    seedRepo(
      h.gh,
      configFiles([{ name: "web", environment: "production", gates: ["deploy-window"] }], POLICY_AND_GATE),
    );
    h.gh.setPermission(REPO, "alice", "write");
    h.gh.setPermission(REPO, "maria", "maintain");
  });
  afterEach(async () => {
    expectOneCheckPerJob(h);
    await h.stop();
  });

  it("holds the apply job until it opens, then the job goes on by itself; closing it stops nothing running", async () => {
    const pull = await openPull(h, ["web"]);
    await completePullPlan(h, "web");
    // The gate does not block merges: the PR's flowgate check passes.
    await h.waitFor(
      () =>
        h.gh.checkRuns(REPO, { headSha: pull.head.sha, name: "flowgate" }).at(-1)?.conclusion === "success",
      "the flowgate check to pass",
    );
    const sha = await mergePull(h, pull.number);
    const held = await waitForApplyCheck(
      h,
      sha,
      "web",
      (c) => (c.output.summary ?? "").includes("waiting for gate deploy-window"),
      "held by the gate",
    );
    expect(held.status).toBe("queued");
    await settle(300);
    expect(dispatchesOf(h)).toHaveLength(0);

    // Someone without the right to open it: still held.
    const refused = await comment(h, pull, "alice", "/open-gate deploy-window");
    await waitForReply(h, pull, refused, "you may not open gate");
    await settle(200);
    expect(dispatchesOf(h)).toHaveLength(0);

    // A maintainer opens it, in any issue of the repository: the job plans with no other event.
    const issue = h.gh.openIssue(REPO, { title: "deploy window", user: "maria" });
    await h.gh.sendWebhook(
      "issue_comment",
      issueCommentEvent(h.gh, issue, { login: "maria", body: "/open-gate deploy-window 1h" }),
    );
    const plan = await waitForDispatch(h, { stack: "web", operation: "plan", sha });

    // Closing the gate while the job runs does not stop it.
    const close = await comment(h, pull, "maria", "/close-gate deploy-window");
    await waitForReply(h, pull, close, "is closed");
    await completeRun(h, plan);
    await completeRun(h, await waitForDispatch(h, { stack: "web", operation: "apply", sha }));
    await waitForApplyCheck(h, sha, "web", concluded("success"), "success");
    expect(applyCheck(h, sha, "web")?.output.summary).not.toContain("cancel");
  });
});
