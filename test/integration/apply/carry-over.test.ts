/**
 * SPEC §4 carry-over and §2.3's last sentence: an approval given on the PR carries over to the apply
 * only when the new plan makes the same changes; a direct push never carries one; the first apply
 * after a policy change waits for approval whatever the new policy says.
 */
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import { checkRunRequestedActionEvent, pushEvent } from "../../support/webhooks.js";
import {
  applyCheck,
  approveReview,
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
  stackFile,
  waitForApplyCheck,
  waitForDispatch,
  waitingForApproval,
} from "./support.js";

const PROD_SAFE = readFileSync("policies/examples/production-safety.yaml", "utf8");

describe("carrying a PR's approval over to the apply", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    seedRepo(h.gh, configFiles([{ name: "db", environment: "production" }], PROD_SAFE));
    for (const login of ["alice", "bob"]) h.gh.setPermission(REPO, login, "write");
    h.gh.addTeam("acme", "ops-team", ["bob"]);
  });
  afterEach(async () => {
    expectOneCheckPerJob(h);
    await h.stop();
  });

  /** alice's PR, planned, approved by bob, `flowgate` green. */
  async function approvedPull() {
    const pull = await openPull(h, ["db"]);
    await completePullPlan(h, "db");
    // bob reviews once he can see the plan on the PR.
    await h.waitFor(
      () =>
        h.gh.checkRuns(REPO, { headSha: pull.head.sha, name: "flowgate/plan: db" }).at(-1)?.conclusion ===
        "success",
      "the PR's plan check",
    );
    await approveReview(h, pull, "bob");
    await h.waitFor(
      () =>
        h.gh.checkRuns(REPO, { headSha: pull.head.sha, name: "flowgate" }).at(-1)?.conclusion === "success",
      "the flowgate check to pass",
    );
    return pull;
  }

  it("applies without a new /approve when the new plan's changes equal the approved plan's", async () => {
    const pull = await approvedPull();
    const sha = await mergePull(h, pull.number);
    const plan = await waitForDispatch(h, { stack: "db", operation: "plan", sha });
    await completeRun(h, plan); // the same +1 ~2 -0 resources as on the PR
    const apply = await waitForDispatch(h, { stack: "db", operation: "apply", sha });
    expect(apply.inputs.plan_run_id).toBe(String(plan.runId));
    await completeRun(h, apply);
    const check = await waitForApplyCheck(h, sha, "db", concluded("success"), "success");
    expect(check.output.summary).toContain(
      "Approved by @bob (carried over from the PR: the plan is unchanged)",
    );
  });

  it("waits for a new /approve on the merged PR when the new plan differs", async () => {
    const pull = await approvedPull();
    const sha = await mergePull(h, pull.number);
    const plan = await waitForDispatch(h, { stack: "db", operation: "plan", sha });
    await completeRun(h, plan, { summary: { add: 1, change: 3, destroy: 0, replace: 0 } });
    const waiting = await waitForApplyCheck(h, sha, "db", waitingForApproval, "waiting for approval");
    expect(waiting.output.summary).toContain("the plan differs from the one approved on the PR");
    await settle(300);
    expect(dispatchesOf(h, { operation: "apply" })).toHaveLength(0);

    await comment(h, pull, "bob", "/approve db");
    await completeRun(h, await waitForDispatch(h, { stack: "db", operation: "apply", sha }));
    const done = await waitForApplyCheck(h, sha, "db", concluded("success"), "success");
    expect(done.output.summary).toContain("Approved by @bob");
    expect(done.output.summary).not.toContain("carried over");
  });

  it("never carries an approval to a direct push, even of the approved PR's own head", async () => {
    const pull = await approvedPull();
    // Someone fast-forwards main to the approved head instead of merging the PR.
    const repo = h.gh.repo(REPO);
    const before = repo.branches.get("main")!;
    repo.branches.set("main", pull.head.sha);
    await h.gh.sendWebhook("push", pushEvent(h.gh, repo, { before, after: pull.head.sha, pusher: "alice" }));

    const plan = await waitForDispatch(h, { stack: "db", operation: "plan", sha: pull.head.sha });
    await completeRun(h, plan); // the very plan bob approved
    const waiting = await waitForApplyCheck(
      h,
      pull.head.sha,
      "db",
      waitingForApproval,
      "waiting for approval",
    );
    expect(waiting.output.summary).toContain("the commit came without a PR, so no PR approval carries over");
    expect(waiting.output.summary).toContain("clicks Approve on the check run flowgate/apply: db");
    await settle(300);
    expect(dispatchesOf(h, { operation: "apply" })).toHaveLength(0);

    // The Approve button on the apply check, clicked by bob.
    await h.gh.sendWebhook(
      "check_run",
      checkRunRequestedActionEvent(h.gh, waiting, { login: "bob", identifier: "approve" }),
    );
    await completeRun(h, await waitForDispatch(h, { stack: "db", operation: "apply", sha: pull.head.sha }));
    await waitForApplyCheck(h, pull.head.sha, "db", concluded("success"), "success");
  });
});

describe("the first apply after a policy change (SPEC §2.3)", () => {
  const FAST = `apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: prod-fast }
spec:
  selector: { kind: environment, id: production }
  flowControl:
    previewBeforeUpdateOrDestroy: true
    pauseBetweenPreviewAndUpdateOrDestroy: false
`;
  const FASTER = FAST.replace("prod-fast", "prod-faster").replace(
    "previewBeforeUpdateOrDestroy: true",
    "previewBeforeUpdateOrDestroy: false",
  );

  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    expectOneCheckPerJob(h);
    await h.stop();
  });

  async function applyDirectly(sha: string, stack = "web") {
    await completeRun(h, await waitForDispatch(h, { stack, operation: "plan", sha }));
    await completeRun(h, await waitForDispatch(h, { stack, operation: "apply", sha }));
    return waitForApplyCheck(h, sha, stack, concluded("success"), "success");
  }

  it("pauses once after a merge that changed the stack's policy, then applies as the new policy says", async () => {
    seedRepo(h.gh, configFiles([{ name: "web", environment: "production" }], FAST));
    for (const login of ["alice", "bob"]) h.gh.setPermission(REPO, login, "write");
    const first = await mergePull(h, (await openPull(h, ["web"])).number);
    await applyDirectly(first);

    // A PR that relaxes the policy further (no plan) and changes the stack at the same time.
    const change = await openPull(h, ["web"], {
      files: { ".github/flowgate/policies.yml": FASTER, [stackFile("web")]: "# web v2\n" },
    });
    const second = await mergePull(h, change.number);
    // The new policy would apply at once; the first apply under it plans and waits for approval.
    const plan = await waitForDispatch(h, { stack: "web", operation: "plan", sha: second });
    await completeRun(h, plan);
    const waiting = await waitForApplyCheck(h, second, "web", waitingForApproval, "waiting for approval");
    expect(waiting.output.summary).toContain("the policy this stack resolves to changed (now prod-faster)");
    await settle(300);
    expect(dispatchesOf(h, { operation: "apply", sha: second })).toHaveLength(0);
    await comment(h, change, "bob", "/approve");
    await completeRun(h, await waitForDispatch(h, { stack: "web", operation: "apply", sha: second }));
    await waitForApplyCheck(h, second, "web", concluded("success"), "success");

    // The next merge follows the new policy: straight to apply, no plan, no pause.
    const third = await mergePull(h, (await openPull(h, ["web"])).number);
    const apply = await waitForDispatch(h, { stack: "web", operation: "apply", sha: third });
    expect(dispatchesOf(h, { operation: "plan", sha: third })).toHaveLength(0);
    await completeRun(h, apply);
    await waitForApplyCheck(h, third, "web", concluded("success"), "success");
  });

  it("pauses even when the stack never applied before the merge that changed its policy", async () => {
    seedRepo(h.gh, configFiles([{ name: "web", environment: "production" }], FAST));
    for (const login of ["alice", "bob"]) h.gh.setPermission(REPO, login, "write");
    const change = await openPull(h, ["web"], {
      files: { ".github/flowgate/policies.yml": FASTER, [stackFile("web")]: "# web v2\n" },
    });
    const sha = await mergePull(h, change.number);
    const plan = await waitForDispatch(h, { stack: "web", operation: "plan", sha });
    await completeRun(h, plan);
    const waiting = await waitForApplyCheck(h, sha, "web", waitingForApproval, "waiting for approval");
    expect(waiting.output.summary).toContain("the policy this stack resolves to changed");
    expect(applyCheck(h, sha, "web")?.status).toBe("in_progress");
  });
});
