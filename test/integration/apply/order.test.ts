/**
 * SPEC §4: stacks apply in `dependsOn` order and a failure stops the stacks after it; a newer merge
 * supersedes a stack's job that has not started applying, never one that is applying.
 */
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import {
  applyCheck,
  comment,
  completeRun,
  concluded,
  configFiles,
  dispatchesOf,
  expectOneCheckPerJob,
  mergePull,
  openPull,
  REPO,
  settle,
  sticky,
  waitForApplyCheck,
  waitForDispatch,
  waitForReply,
  waitingForApproval,
} from "./support.js";

/** Apply at once: no plan, no pause. */
const DIRECT = `apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: direct }
spec:
  selector: { kind: environment, id: production }
  flowControl:
    previewBeforeUpdateOrDestroy: false
    pauseBetweenPreviewAndUpdateOrDestroy: false
`;

const CHAIN = [
  { name: "network", environment: "production" },
  { name: "database", environment: "production", dependsOn: ["network"] },
  { name: "service", environment: "production", dependsOn: ["database"] },
];

describe("a chain of three dependent stacks", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    seedRepo(h.gh, configFiles(CHAIN, DIRECT));
    h.gh.setPermission(REPO, "alice", "write");
  });
  afterEach(async () => {
    expectOneCheckPerJob(h);
    await h.stop();
  });

  it("applies in dependsOn order, each only after the one before it succeeded", async () => {
    const pull = await openPull(h, ["service", "database", "network"]);
    const sha = await mergePull(h, pull.number);
    for (const [i, stack] of ["network", "database", "service"].entries()) {
      const apply = await waitForDispatch(h, { stack, operation: "apply", sha });
      await settle(200);
      // Only this stack has been dispatched so far; the next waits for it.
      expect(dispatchesOf(h, { sha }).map((d) => d.inputs.stack)).toEqual(
        ["network", "database", "service"].slice(0, i + 1),
      );
      if (i < 2) {
        const next = CHAIN[i + 1]!.name;
        expect(applyCheck(h, sha, next)?.output.summary).toContain(
          `waiting for ${stack} to be applied first`,
        );
      }
      await completeRun(h, apply);
      await waitForApplyCheck(h, sha, stack, concluded("success"), "success");
    }
    await h.waitFor(() => sticky(h, pull)?.body.includes("after the merge ✅ applied"), "the sticky comment");
    expect(dispatchesOf(h)).toHaveLength(3);
  });

  it("stops at a failure: the dependents end cancelled, saying why", async () => {
    const pull = await openPull(h, ["service", "database", "network"]);
    const sha = await mergePull(h, pull.number);
    await completeRun(h, await waitForDispatch(h, { stack: "network", operation: "apply", sha }));
    await completeRun(h, await waitForDispatch(h, { stack: "database", operation: "apply", sha }), {
      conclusion: "failure",
    });
    const failed = await waitForApplyCheck(h, sha, "database", concluded("failure"), "failure");
    expect(failed.output.title).toBe("failed");
    expect(failed.output.summary).toContain("the apply run failed");
    expect(failed.output.summary).toContain("/retry database");
    const cancelled = await waitForApplyCheck(h, sha, "service", concluded("cancelled"), "cancelled");
    expect(cancelled.output.summary).toContain("dependency database ended failed");
    await settle(200);
    expect(dispatchesOf(h, { stack: "service" })).toHaveLength(0);
    const body = sticky(h, pull)?.body ?? "";
    expect(body).toMatch(/`database` .*\| failed/);
    expect(body).toMatch(/`service` .*\| cancelled/);
  });
});

describe("a newer merge", () => {
  const PROD_SAFE = readFileSync("policies/examples/production-safety.yaml", "utf8");
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

  it("supersedes the stack's job that waits for approval; the newer one takes the stack", async () => {
    const first = await openPull(h, ["db"], { branch: "first" });
    const older = await mergePull(h, first.number);
    await completeRun(h, await waitForDispatch(h, { stack: "db", operation: "plan", sha: older }));
    await waitForApplyCheck(h, older, "db", waitingForApproval, "waiting for approval");

    const second = await openPull(h, ["db"], { branch: "second" });
    const newer = await mergePull(h, second.number);
    const superseded = await waitForApplyCheck(h, older, "db", concluded("skipped"), "superseded");
    expect(superseded.output.title).toBe("superseded");
    expect(superseded.output.summary).toContain(`superseded by job`);
    expect(superseded.output.summary).toContain(`at sha ${newer.slice(0, 7)}`);
    // An /approve for the superseded job does nothing.
    const late = await comment(h, first, "bob", "/approve");
    await waitForReply(h, first, late, "not waiting for approval (superseded)");

    await completeRun(h, await waitForDispatch(h, { stack: "db", operation: "plan", sha: newer }));
    await waitForApplyCheck(h, newer, "db", waitingForApproval, "the newer job waiting for approval");
    await comment(h, second, "bob", "/approve");
    await completeRun(h, await waitForDispatch(h, { stack: "db", operation: "apply", sha: newer }));
    await waitForApplyCheck(h, newer, "db", concluded("success"), "success");
    expect(dispatchesOf(h, { operation: "apply" }).map((d) => d.inputs.sha)).toEqual([newer]);
  });

  it("does not supersede a job that is applying; the newer job waits for the stack", async () => {
    const first = await openPull(h, ["db"], { branch: "first" });
    const older = await mergePull(h, first.number);
    await completeRun(h, await waitForDispatch(h, { stack: "db", operation: "plan", sha: older }));
    await waitForApplyCheck(h, older, "db", waitingForApproval, "waiting for approval");
    await comment(h, first, "bob", "/approve");
    const applying = await waitForDispatch(h, { stack: "db", operation: "apply", sha: older });

    const second = await openPull(h, ["db"], { branch: "second" });
    const newer = await mergePull(h, second.number);
    const queued = await waitForApplyCheck(h, newer, "db", (c) => c.status === "queued", "queued");
    await settle(300);
    expect(applyCheck(h, older, "db")?.status).toBe("in_progress");
    expect(applyCheck(h, newer, "db")?.output.summary).toContain("to finish with stack db");
    expect(queued.output.title).toContain("queued");
    expect(dispatchesOf(h, { sha: newer })).toHaveLength(0);

    await completeRun(h, applying);
    await waitForApplyCheck(h, older, "db", concluded("success"), "the older apply to succeed");
    // The stack is free: the newer job plans now.
    await waitForDispatch(h, { stack: "db", operation: "plan", sha: newer });
  });
});
