import { describe, expect, it } from "vitest";
import { describeJob } from "../../../src/engine/stack-job/describe.js";
import { awaitingApproval, controls, drive, makeJob, noop, planResult, step, t } from "./builders.js";

describe("describeJob", () => {
  it("names the plan and the approver's next step while waiting for approval", () => {
    expect(describeJob(awaitingApproval())).toEqual({
      state: "waiting for approval (plan +1 ~2 -0)",
      nextStep: "an eligible approver comments /approve billing-db on the merged PR",
    });
  });

  it("points to the check run's Approve button when there is no merged PR", () => {
    expect(describeJob(awaitingApproval({ prNumber: undefined })).nextStep).toBe(
      "an eligible approver clicks Approve on the check run flowgate/apply: billing-db",
    );
  });

  it("says how to start a pending or manual job", () => {
    const pending = makeJob({
      environment: "staging",
      controls: controls({ disableOnLifecycleEvents: true }),
    });
    expect(describeJob(pending)).toEqual({
      state: "pending until started (disableOnLifecycleEvents)",
      nextStep:
        "an eligible approver comments /apply billing-db on the merged PR, or someone runs flowgate apply --env staging --all-pending",
    });
    const manual = makeJob({ controls: controls({ isManual: true }) });
    expect(describeJob(manual)).toEqual({
      state: "waiting for a manual start (isManual)",
      nextStep: "an eligible approver comments /apply billing-db on the merged PR",
    });
  });

  it("shows a run waiting for the environment's reviewers, with its link", () => {
    const url = "https://github.com/acme/infra/actions/runs/9";
    const job = drive(makeJob(), [
      [{ type: "ready", lockToken: 1 }, 1],
      [{ type: "dispatched", operation: "plan", runId: 9, htmlUrl: url }, 1],
      [{ type: "run-status", runId: 9, status: "waiting" }, 2],
    ]);
    expect(describeJob(job)).toEqual({
      state: "planning: waiting for the environment's reviewers",
      nextStep: `a required reviewer of the GitHub environment approves the workflow run (${url})`,
    });
  });

  it("tells a plan that had nothing to apply from one that was applied", () => {
    let job = drive(makeJob(), [
      [{ type: "ready", lockToken: 1 }, 1],
      [{ type: "dispatched", operation: "plan", runId: 9 }, 1],
    ]);
    const nothing = step(
      job,
      { type: "run-completed", runId: 9, conclusion: "success", result: planResult(job, [noop("a.b")]) },
      t(2),
    ).job;
    expect(describeJob(nothing)).toEqual({ state: "succeeded: the plan has no changes", nextStep: "none" });
    job = drive(awaitingApproval(), [
      [{ type: "approved", approvers: ["bob"], carriedOver: false }, 20],
      [{ type: "dispatched", operation: "apply", runId: 102 }, 20],
      [{ type: "run-completed", runId: 102, conclusion: "success" }, 30],
    ]);
    expect(describeJob(job)).toEqual({ state: "applied (plan +1 ~2 -0)", nextStep: "none" });
  });

  it("offers a retry after a failure, and nothing after being superseded", () => {
    const failed = step(awaitingApproval(), { type: "timeout" }, t(10 + 7 * 24 * 60)).job;
    expect(describeJob(failed)).toEqual({
      state: "timed out",
      nextStep: "comment /retry billing-db on the merged PR to run it again",
    });
    const gone = step(makeJob(), { type: "supersede", byJob: "job-2", sha: "def5678" }, t(1)).job;
    expect(describeJob(gone)).toEqual({
      state: "superseded",
      nextStep: "none: a job for a newer commit takes over billing-db",
    });
  });
});
