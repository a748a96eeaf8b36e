/**
 * SPEC §3.2 and §4 on a merged PR: `/retry` runs a failed apply job again, `/cancel` stops a waiting
 * or running one; an approval that does not come in time ends the job `timed_out` and frees the stack.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import { pullRequestEvent } from "../../support/webhooks.js";
import {
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

function policy(flow: string): string {
  return `apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: prod }
spec:
  selector: { kind: environment, id: production }
  flowControl:
${flow
  .trim()
  .split("\n")
  .map((l) => `    ${l.trim()}`)
  .join("\n")}
`;
}

const NO_PAUSE = policy(`
previewBeforeUpdateOrDestroy: true
pauseBetweenPreviewAndUpdateOrDestroy: false`);

const PAUSE = policy(`
previewBeforeUpdateOrDestroy: true
pauseBetweenPreviewAndUpdateOrDestroy: true
timeouts: { approval: 2s }`);

describe("commands on a merged PR", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    expectOneCheckPerJob(h);
    await h.stop();
  });

  function seed(policyText: string) {
    seedRepo(h.gh, configFiles([{ name: "web", environment: "production" }], policyText));
    for (const login of ["alice", "bob"]) h.gh.setPermission(REPO, login, "write");
    h.gh.setPermission(REPO, "reader", "read");
  }

  it("/retry runs a failed apply job again: a new plan (the saved one was used), then apply", async () => {
    seed(NO_PAUSE);
    const pull = await openPull(h, ["web"]);
    const sha = await mergePull(h, pull.number);
    const plan = await waitForDispatch(h, { stack: "web", operation: "plan", sha });
    await completeRun(h, plan);
    await completeRun(h, await waitForDispatch(h, { stack: "web", operation: "apply", sha }), {
      conclusion: "failure",
    });
    const failed = await waitForApplyCheck(h, sha, "web", concluded("failure"), "failure");
    expect(failed.output.summary).toContain("comment /retry web on the merged PR");

    const refused = await comment(h, pull, "reader", "/retry web");
    await waitForReply(h, pull, refused, "needs write permission");
    const retry = await comment(h, pull, "bob", "/retry web");
    await waitForReply(h, pull, retry, "queued again");
    expect(h.gh.reactions(retry).map((r) => r.content)).toEqual(["+1"]);

    const replan = await waitForDispatch(h, { stack: "web", operation: "plan", sha, nth: 1 });
    expect(replan.inputs.job_id).toBe(plan.inputs.job_id);
    await completeRun(h, replan);
    const reapply = await waitForDispatch(h, { stack: "web", operation: "apply", sha, nth: 1 });
    expect(reapply.inputs.plan_run_id).toBe(String(replan.runId));
    await completeRun(h, reapply);
    const done = await waitForApplyCheck(h, sha, "web", concluded("success"), "success");
    expect(done.output.summary).toMatch(/retried by @\u200b?bob/);
    expect(dispatchesOf(h).map((d) => d.inputs.operation)).toEqual(["plan", "apply", "plan", "apply"]);
  });

  it("/retry of an older failed job after a newer commit applied: the stack never goes back", async () => {
    seed(NO_PAUSE);
    const old = await openPull(h, ["web"], { branch: "old" });
    const oldSha = await mergePull(h, old.number);
    await completeRun(h, await waitForDispatch(h, { stack: "web", operation: "plan", sha: oldSha }));
    await completeRun(h, await waitForDispatch(h, { stack: "web", operation: "apply", sha: oldSha }), {
      conclusion: "failure",
    });
    await waitForApplyCheck(h, oldSha, "web", concluded("failure"), "failure");
    const newSha = await mergePull(h, (await openPull(h, ["web"], { branch: "new" })).number);
    await completeRun(h, await waitForDispatch(h, { stack: "web", operation: "plan", sha: newSha }));
    await completeRun(h, await waitForDispatch(h, { stack: "web", operation: "apply", sha: newSha }));
    await waitForApplyCheck(h, newSha, "web", concluded("success"), "success");

    await comment(h, old, "bob", "/retry");
    const check = await waitForApplyCheck(h, oldSha, "web", concluded("skipped"), "superseded");
    expect(check.output.title).toBe("superseded");
    expect(check.output.summary).toContain(`at sha ${newSha.slice(0, 7)}`);
    await settle(200);
    expect(dispatchesOf(h, { sha: oldSha }).map((d) => d.inputs.operation)).toEqual(["plan", "apply"]);
  });

  it("a pull_request event from before the merge, delivered late, does not make the merged PR open again", async () => {
    seed(PAUSE.replace("approval: 2s", "approval: 1h"));
    const pull = await openPull(h, ["web"]);
    const labeled = pullRequestEvent(h.gh, "labeled", pull, { label: "infra" }); // stamped before the merge
    const sha = await mergePull(h, pull.number);
    await completeRun(h, await waitForDispatch(h, { stack: "web", operation: "plan", sha }));
    await waitForApplyCheck(h, sha, "web", waitingForApproval, "waiting for approval");
    // GitHub does not promise order: the label event made in the merge's second arrives after it.
    (labeled.pull_request as { updated_at: string }).updated_at = h.gh.pull(
      REPO,
      pull.number,
    ).issue.updatedAt;
    await h.gh.sendWebhook("pull_request", labeled);
    await settle(300);

    const approve = await comment(h, pull, "bob", "/approve");
    await waitForReply(h, pull, approve, "applying");
    await completeRun(h, await waitForDispatch(h, { stack: "web", operation: "apply", sha }));
    await waitForApplyCheck(h, sha, "web", concluded("success"), "success");
  });

  it("/cancel cancels a job waiting for approval; nothing is applied", async () => {
    seed(PAUSE.replace("approval: 2s", "approval: 1h"));
    const pull = await openPull(h, ["web"]);
    const sha = await mergePull(h, pull.number);
    await completeRun(h, await waitForDispatch(h, { stack: "web", operation: "plan", sha }));
    await waitForApplyCheck(h, sha, "web", waitingForApproval, "waiting for approval");
    const cancel = await comment(h, pull, "bob", "/cancel");
    await waitForReply(h, pull, cancel, "cancelled");
    const check = await waitForApplyCheck(h, sha, "web", concluded("cancelled"), "cancelled");
    expect(check.output.summary).toContain("cancelled by bob: /cancel");
    expect(check.actions).toEqual([]);
    // An /approve afterwards applies nothing.
    const late = await comment(h, pull, "bob", "/approve");
    await waitForReply(h, pull, late, "not waiting for approval (cancelled)");
    expect(dispatchesOf(h, { operation: "apply" })).toHaveLength(0);
  });

  it("/cancel stops a running plan: its workflow run is cancelled on GitHub", async () => {
    seed(NO_PAUSE);
    const pull = await openPull(h, ["web"]);
    const sha = await mergePull(h, pull.number);
    const plan = await waitForDispatch(h, { stack: "web", operation: "plan", sha });
    await h.waitFor(() => h.gh.runs(REPO).find((r) => r.id === plan.runId), "the run");
    await comment(h, pull, "bob", "/cancel web");
    await waitForApplyCheck(h, sha, "web", concluded("cancelled"), "cancelled");
    await h.waitFor(
      () => h.gh.runs(REPO).find((r) => r.id === plan.runId)?.conclusion === "cancelled",
      "the plan run to be cancelled",
    );
    await settle(200);
    expect(dispatchesOf(h, { operation: "apply" })).toHaveLength(0);
  });

  it("a job waiting past its approval time limit ends timed_out, says so and frees the stack", async () => {
    seed(PAUSE);
    const pull = await openPull(h, ["web"], { branch: "first" });
    const sha = await mergePull(h, pull.number);
    await completeRun(h, await waitForDispatch(h, { stack: "web", operation: "plan", sha }));
    await waitForApplyCheck(h, sha, "web", waitingForApproval, "waiting for approval");
    const check = await h.waitFor(
      () => {
        const c = h.gh.checkRuns(REPO, { headSha: sha, name: "flowgate/apply: web" }).at(-1);
        return c?.conclusion === "timed_out" ? c : undefined;
      },
      "the job to time out",
      6_000,
    );
    expect(check.output.title).toBe("timed out");
    expect(check.output.summary).toContain("no approval within 2s");
    expect(check.actions).toEqual([]);
    await h.waitFor(
      () => sticky(h, pull)?.body.match(/`web` .*\| timed out/),
      "the sticky comment saying so",
    );
    const late = await comment(h, pull, "bob", "/approve");
    await waitForReply(h, pull, late, "not waiting for approval (timed_out)");

    // The stack is free for the next merge, which plans and applies.
    const next = await openPull(h, ["web"], { branch: "second" });
    const nextSha = await mergePull(h, next.number);
    await completeRun(h, await waitForDispatch(h, { stack: "web", operation: "plan", sha: nextSha }));
    await waitForApplyCheck(h, nextSha, "web", waitingForApproval, "the next job waiting for approval");
    await comment(h, next, "bob", "/approve");
    await completeRun(h, await waitForDispatch(h, { stack: "web", operation: "apply", sha: nextSha }));
    await waitForApplyCheck(h, nextSha, "web", concluded("success"), "success");
    expect(dispatchesOf(h, { operation: "apply" }).map((d) => d.inputs.sha)).toEqual([nextSha]);
  });
});
