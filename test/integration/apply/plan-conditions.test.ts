/**
 * SPEC §2.2 after the merge: what a policy decides from the plan (`conditions` and approval rules that
 * read `plan.*`) is decided again from the apply job's own plan, and a plan made from a fork's code never
 * relaxes anything (SPEC §5.1).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import { pullRequestEvent } from "../../support/webhooks.js";
import {
  completeRun,
  concluded,
  configFiles,
  dispatchesOf,
  expectOneCheckPerJob,
  mergePull,
  openPull,
  REPO,
  settle,
  stackFile,
  waitForApplyCheck,
  waitForDispatch,
  waitingForApproval,
} from "./support.js";

const UPDATES_APPLY_AT_ONCE = `apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: prod-updates-fast }
spec:
  selector: { kind: environment, id: production }
  flowControl:
    previewBeforeUpdateOrDestroy: true
    pauseBetweenPreviewAndUpdateOrDestroy: true
    conditions:
      - if: "plan.destroy == 0 && plan.resources.all(r, r.action == 'update')"
        then: { pauseBetweenPreviewAndUpdateOrDestroy: false }
`;
const ONLY_UPDATES = { add: 0, change: 2, destroy: 0, replace: 0 };

describe("conditions that read the plan, after the merge", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    seedRepo(h.gh, configFiles([{ name: "web", environment: "production" }], UPDATES_APPLY_AT_ONCE));
    h.gh.setPermission(REPO, "alice", "write");
  });
  afterEach(async () => {
    expectOneCheckPerJob(h);
    await h.stop();
  });

  it("a plan of only updates applies without waiting; one that creates something waits", async () => {
    const first = await mergePull(h, (await openPull(h, ["web"], { branch: "updates" })).number);
    await completeRun(h, await waitForDispatch(h, { stack: "web", operation: "plan", sha: first }), {
      summary: ONLY_UPDATES,
    });
    await completeRun(h, await waitForDispatch(h, { stack: "web", operation: "apply", sha: first }));
    await waitForApplyCheck(h, first, "web", concluded("success"), "success");

    const second = await mergePull(h, (await openPull(h, ["web"], { branch: "creates" })).number);
    await completeRun(h, await waitForDispatch(h, { stack: "web", operation: "plan", sha: second }));
    await waitForApplyCheck(h, second, "web", waitingForApproval, "waiting for approval");
    await settle(200);
    expect(dispatchesOf(h, { operation: "apply", sha: second })).toHaveLength(0);
  });

  it("a merged PR from a fork gets no relaxation from its plan: it waits for approval", async () => {
    h.gh.setPermission(REPO, "mallory", "read");
    const head = h.gh.commit(REPO, "fork-change", { [stackFile("web")]: "# from a fork\n" }, "fork change", {
      author: "mallory",
    });
    const pull = h.gh.openPull({
      repo: REPO,
      head: { ref: "fork-change", sha: head },
      user: "mallory",
      fork: true,
    });
    await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "opened", pull));
    const sha = await mergePull(h, pull.number);
    await completeRun(h, await waitForDispatch(h, { stack: "web", operation: "plan", sha }), {
      summary: ONLY_UPDATES,
    });
    await waitForApplyCheck(h, sha, "web", waitingForApproval, "waiting for approval");
    await settle(200);
    expect(dispatchesOf(h, { operation: "apply", sha })).toHaveLength(0);
  });

  it("a merged PR by a bot with no write permission gets no relaxation either: being a bot trusts nobody", async () => {
    const bot = "sneaky-helper[bot]"; // an app installed with no access to this repository's code
    const head = h.gh.commit(REPO, "bot-change", { [stackFile("web")]: "# from a bot\n" }, "bot change", {
      author: bot,
    });
    const pull = h.gh.openPull({ repo: REPO, head: { ref: "bot-change", sha: head }, user: bot });
    await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "opened", pull));
    const sha = await mergePull(h, pull.number);
    await completeRun(h, await waitForDispatch(h, { stack: "web", operation: "plan", sha }), {
      summary: ONLY_UPDATES,
    });
    await waitForApplyCheck(h, sha, "web", waitingForApproval, "waiting for approval");
    await settle(200);
    expect(dispatchesOf(h, { operation: "apply", sha })).toHaveLength(0);
  });
});
