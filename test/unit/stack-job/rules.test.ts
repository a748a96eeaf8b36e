/** Every rule of the state machine: a case where the event is accepted and one where it is refused. */
import { describe, expect, it } from "vitest";
import {
  dispatchInputs,
  HISTORY_LIMIT,
  planIsFresh,
  transition,
} from "../../../src/engine/stack-job/transition.js";
import type { JobEvent, JobStatus, StackJob } from "../../../src/engine/stack-job/types.js";
import { planFingerprint } from "../../../src/plan/fingerprint.js";
import {
  awaitingApproval,
  CHANGES,
  controls,
  DAY,
  drive,
  HOUR,
  makeJob,
  noop,
  planResult,
  refused,
  step,
  t,
} from "./builders.js";

const alice = { login: "alice", type: "user" } as const;
const URL_101 = "https://github.com/acme/infra/actions/runs/101";

/** An apply job whose plan run 101 was dispatched and is in progress. */
function planning(overrides: Parameters<typeof makeJob>[0] = {}): StackJob {
  return drive(makeJob(overrides), [
    [{ type: "ready", lockToken: 5 }, 1],
    [{ type: "dispatched", operation: "plan", runId: 101, htmlUrl: URL_101 }, 2],
  ]);
}

/** An approved apply job whose apply run 102 is in progress. */
function applying(): StackJob {
  return drive(awaitingApproval(), [
    [{ type: "approved", approvers: ["bob"], carriedOver: false }, 20],
    [{ type: "dispatched", operation: "apply", runId: 102 }, 21],
  ]);
}

describe("start", () => {
  it.each([
    ["pending", controls({ disableOnLifecycleEvents: true })],
    ["awaiting_start", controls({ isManual: true })],
  ])("moves a %s job to queued", (status, c) => {
    const job = makeJob({ controls: c });
    expect(job.status).toBe(status);
    const tr = step(job, { type: "start", by: alice }, t(5));
    expect(tr.job.status).toBe("queued");
    expect(tr.job.reason).toMatch(/^started by @alice; queued/);
    expect(tr.effects).toEqual([]);
  });

  it("is refused for a job that is already queued", () => {
    refused(
      makeJob(),
      { type: "start", by: alice },
      t(5),
      /start: the job is queued, not pending or waiting/,
    );
  });
});

describe("ready", () => {
  it("dispatches the plan of a plan job, with its deadline", () => {
    const job = makeJob({ kind: "plan", prNumber: 9 });
    const tr = step(job, { type: "ready" }, t(1));
    expect(tr.job.status).toBe("planning");
    expect(tr.job.runs).toEqual([
      { operation: "plan", status: "dispatching", requestedAt: t(1).toISOString() },
    ]);
    expect(tr.job.deadline).toBe(t(61).toISOString());
    expect(tr.job.lockToken).toBeUndefined();
    expect(tr.effects).toEqual([
      { type: "dispatch", operation: "plan", inputs: dispatchInputs(job, "plan") },
      { type: "schedule-deadline", at: t(61).toISOString() },
    ]);
  });

  it("plans first for an apply job when previewBeforeUpdateOrDestroy holds, and keeps the lock token", () => {
    const tr = step(makeJob(), { type: "ready", lockToken: 9 }, t(1));
    expect(tr.job.status).toBe("planning");
    expect(tr.job.lockToken).toBe(9);
    expect(tr.effects[0]).toMatchObject({ type: "dispatch", operation: "plan" });
  });

  it("applies directly when previewBeforeUpdateOrDestroy is off, with the apply deadline", () => {
    const job = makeJob({ controls: controls({ previewBeforeUpdateOrDestroy: false }) });
    const tr = step(job, { type: "ready", lockToken: 9 }, t(1));
    expect(tr.job.status).toBe("applying");
    expect(tr.job.reason).toMatch(/without a separate plan/);
    expect(tr.effects).toEqual([
      {
        type: "dispatch",
        operation: "apply",
        inputs: expect.objectContaining({ operation: "apply", plan_run_id: "" }),
      },
      { type: "schedule-deadline", at: t(181).toISOString() },
    ]);
  });

  it("plans first when forcePause is set, even without previewBeforeUpdateOrDestroy", () => {
    const job = makeJob({
      controls: controls({
        previewBeforeUpdateOrDestroy: false,
        pauseBetweenPreviewAndUpdateOrDestroy: false,
      }),
      forcePause: "the policy for billing-db changed in this merge",
    });
    const tr = step(job, { type: "ready", lockToken: 9 }, t(1));
    expect(tr.job.status).toBe("planning");
    expect(tr.effects[0]).toMatchObject({ type: "dispatch", operation: "plan" });
  });

  it("with a fresh plan still waiting for approval, waits for approval again instead of applying", () => {
    const cancelled = step(awaitingApproval(), { type: "cancel", by: "alice" }, t(20)).job;
    const queued = step(cancelled, { type: "retry", by: alice }, t(30)).job;
    expect(queued.plan).toEqual(cancelled.plan);
    const tr = step(queued, { type: "ready", lockToken: 6 }, t(31));
    expect(tr.job.status).toBe("awaiting_approval");
    expect(tr.effects.some((e) => e.type === "dispatch")).toBe(false);
  });

  it("with an approved fresh plan, applies it with plan_run_id", () => {
    // approved, then GitHub refused the apply dispatch: the plan was never used.
    const failed = drive(awaitingApproval(), [
      [{ type: "approved", approvers: ["bob"], carriedOver: false }, 20],
      [{ type: "dispatch-failed", operation: "apply", message: "422 workflow not found" }, 20],
    ]);
    const queued = step(failed, { type: "retry", by: alice }, t(30)).job;
    const tr = step(queued, { type: "ready", lockToken: 6 }, t(31));
    expect(tr.job.status).toBe("applying");
    expect(tr.effects[0]).toMatchObject({
      type: "dispatch",
      operation: "apply",
      inputs: { plan_run_id: "101" },
    });
  });

  it("plans again when the saved plan is older than planMaxAge", () => {
    const cancelled = step(awaitingApproval(), { type: "cancel", by: "alice" }, t(20)).job;
    const queued = step(cancelled, { type: "retry", by: alice }, t(30)).job;
    const tr = step(queued, { type: "ready", lockToken: 6 }, t(10 + 24 * 60 + 1));
    expect(tr.job.status).toBe("planning");
    expect(tr.job.plan).toBeUndefined();
    expect(tr.effects[0]).toMatchObject({ type: "dispatch", operation: "plan" });
  });

  it("is refused for an apply job without a lock token", () => {
    refused(makeJob(), { type: "ready" }, t(1), /holds the stack lock, and no lock token came/);
  });

  it("is refused unless the job is queued", () => {
    refused(planning(), { type: "ready", lockToken: 1 }, t(3), /ready: the job is planning, not queued/);
    const pending = makeJob({ controls: controls({ disableOnLifecycleEvents: true }) });
    refused(pending, { type: "ready", lockToken: 1 }, t(3), /ready: the job is pending, not queued/);
  });
});

describe("dispatched", () => {
  it("records the run id and link on the run being dispatched", () => {
    const job = step(makeJob(), { type: "ready", lockToken: 1 }, t(1)).job;
    const tr = step(job, { type: "dispatched", operation: "plan", runId: 101, htmlUrl: URL_101 }, t(2));
    expect(tr.job.status).toBe("planning");
    expect(tr.job.runs).toEqual([
      {
        operation: "plan",
        status: "dispatched",
        requestedAt: t(1).toISOString(),
        runId: 101,
        htmlUrl: URL_101,
      },
    ]);
    expect(tr.effects).toEqual([]);
    expect(tr.job.history).toHaveLength(2);
  });

  it("takes the run id later when the dispatch answered without one", () => {
    let job = step(makeJob(), { type: "ready", lockToken: 1 }, t(1)).job;
    job = step(job, { type: "dispatched", operation: "plan" }, t(2)).job;
    expect(job.runs[0]).toMatchObject({ status: "dispatched" });
    expect(job.runs[0]?.runId).toBeUndefined();
    job = step(job, { type: "dispatched", operation: "plan", runId: 77 }, t(3)).job;
    expect(job.runs[0]).toMatchObject({ status: "dispatched", runId: 77 });
  });

  it("is refused for the other operation, or when the run already has an id", () => {
    const job = planning();
    refused(
      job,
      { type: "dispatched", operation: "apply", runId: 5 },
      t(3),
      /the job is planning; no apply run/,
    );
    refused(job, { type: "dispatched", operation: "plan", runId: 5 }, t(3), /already has id 101/);
  });
});

describe("dispatch-failed", () => {
  it("fails an apply job with the message, releases the lock and wakes dependents", () => {
    const job = step(makeJob(), { type: "ready", lockToken: 1 }, t(1)).job;
    const tr = step(job, { type: "dispatch-failed", operation: "plan", message: "404 Not Found" }, t(1));
    expect(tr.job.status).toBe("failed");
    expect(tr.job.reason).toBe("could not dispatch the plan workflow flowgate.yml: 404 Not Found");
    expect(tr.job.runs[0]).toMatchObject({ status: "completed", conclusion: "dispatch_failed" });
    expect(tr.job.lockToken).toBeUndefined();
    expect(tr.job.deadline).toBeUndefined();
    expect(tr.effects).toEqual([{ type: "release-lock" }, { type: "wake-dependents" }]);
  });

  it("releases no lock for a plan job", () => {
    const job = step(makeJob({ kind: "plan" }), { type: "ready" }, t(1)).job;
    const tr = step(job, { type: "dispatch-failed", operation: "plan", message: "422" }, t(1));
    expect(tr.job.status).toBe("failed");
    expect(tr.effects).toEqual([]);
  });

  it("is refused once GitHub accepted the dispatch", () => {
    refused(
      planning(),
      { type: "dispatch-failed", operation: "plan", message: "x" },
      t(3),
      /already has id 101/,
    );
  });
});

describe("run-status", () => {
  it("shows a run waiting for the environment's reviewers, then running", () => {
    let tr = step(planning(), { type: "run-status", runId: 101, status: "waiting" }, t(3));
    expect(tr.job.status).toBe("planning");
    expect(tr.job.reason).toBe("planning: waiting for the environment's reviewers");
    expect(tr.job.runs.at(-1)?.status).toBe("waiting");
    tr = step(tr.job, { type: "run-status", runId: 101, status: "running" }, t(4));
    expect(tr.job.runs.at(-1)?.status).toBe("running");
  });

  it("is refused for a run that is not the current one", () => {
    refused(
      planning(),
      { type: "run-status", runId: 999, status: "running" },
      t(3),
      /run 999 is not the job's current run/,
    );
  });
});

describe("run-completed while planning", () => {
  it("records the plan with its fingerprint, cost and run", () => {
    const job = planning();
    const result = planResult(job, [...CHANGES, noop("aws_iam_role.x")], { estimatedCost: 12.5 });
    const tr = step(job, { type: "run-completed", runId: 101, conclusion: "success", result }, t(10));
    expect(tr.job.plan).toEqual({
      runId: 101,
      finishedAt: t(10).toISOString(),
      summary: { add: 1, change: 2, destroy: 0, replace: 0 },
      resources: result.resources,
      fingerprint: planFingerprint(result.resources),
      estimatedCost: 12.5,
    });
    expect(tr.job.runs[0]).toMatchObject({ status: "completed", conclusion: "success" });
  });

  it("ends a plan job as succeeded", () => {
    let job = step(makeJob({ kind: "plan" }), { type: "ready" }, t(1)).job;
    job = step(job, { type: "dispatched", operation: "plan", runId: 3 }, t(1)).job;
    const tr = step(
      job,
      { type: "run-completed", runId: 3, conclusion: "success", result: planResult(job) },
      t(5),
    );
    expect(tr.job.status).toBe("succeeded");
    expect(tr.job.reason).toBe("plan succeeded (+1 ~2 -0)");
    expect(tr.effects).toEqual([]);
  });

  it("ends an apply job whose plan has no changes, without applying", () => {
    const job = planning();
    const result = planResult(job, [noop("aws_db_instance.main")]);
    const tr = step(job, { type: "run-completed", runId: 101, conclusion: "success", result }, t(10));
    expect(tr.job.status).toBe("succeeded");
    expect(tr.job.reason).toBe("plan has no changes: nothing to apply");
    expect(tr.effects).toEqual([{ type: "release-lock" }, { type: "wake-dependents" }]);
  });

  it("still applies a plan that only imports (all counts 0, but the state changes)", () => {
    const job = planning({ controls: controls({ pauseBetweenPreviewAndUpdateOrDestroy: false }) });
    const imported = {
      address: "aws_s3_bucket.logs",
      type: "aws_s3_bucket",
      action: "import" as const,
      changedAttributes: [],
    };
    const result = planResult(job, [imported]);
    const tr = step(job, { type: "run-completed", runId: 101, conclusion: "success", result }, t(10));
    expect(tr.job.status).toBe("applying");
  });

  it.each([
    ["no result", {}, /left no valid flowgate-result artifact: the run uploaded no result/],
    [
      "an unreadable result",
      { resultError: "result.json is not valid: version must be 1" },
      /version must be 1/,
    ],
  ])("fails a successful run with %s", (_, extra, why) => {
    const tr = step(
      planning(),
      { type: "run-completed", runId: 101, conclusion: "success", ...extra },
      t(10),
    );
    expect(tr.job.status).toBe("failed");
    expect(tr.job.reason).toMatch(why);
    expect(tr.job.plan).toBeUndefined();
    expect(tr.effects).toEqual([{ type: "release-lock" }, { type: "wake-dependents" }]);
  });

  it("fails a result made for another job or commit", () => {
    const job = planning();
    const other = planResult(job, CHANGES, { jobId: "job-other" });
    let tr = step(job, { type: "run-completed", runId: 101, conclusion: "success", result: other }, t(10));
    expect(tr.job.status).toBe("failed");
    expect(tr.job.reason).toMatch(/the result is for job job-other/);
    const stale = planResult(job, CHANGES, { sha: "0".repeat(40) });
    tr = step(job, { type: "run-completed", runId: 101, conclusion: "success", result: stale }, t(10));
    expect(tr.job.reason).toMatch(/the result is for commit 0000000, not abc1234/);
  });

  it("fails when the result says the plan failed, with the error it reports", () => {
    const job = planning();
    const result = planResult(job, CHANGES, { outcome: "failure" });
    const tr = step(job, { type: "run-completed", runId: 101, conclusion: "success", result }, t(10));
    expect(tr.job.status).toBe("failed");
    expect(tr.job.reason).toBe(`the plan reported failure (${URL_101}): a readable plan`);
  });

  it("a failed run's failure result says what went wrong: its Error lines, framing removed", () => {
    const job = planning();
    const text = "terraform plan failed:\n╷\n│ Error: Unsupported argument\n│\n│ on main.tf line 3\n╵";
    const result = planResult(job, CHANGES, { outcome: "failure", text });
    const tr = step(job, { type: "run-completed", runId: 101, conclusion: "failure", result }, t(10));
    expect(tr.job.status).toBe("failed");
    expect(tr.job.reason).toBe(`the plan run failed (${URL_101}): Error: Unsupported argument`);
    const noText = planResult(job, CHANGES, { outcome: "failure", text: "" });
    const bare = step(
      job,
      { type: "run-completed", runId: 101, conclusion: "failure", result: noText },
      t(10),
    );
    expect(bare.job.reason).toBe(`the plan run failed (${URL_101})`);
  });

  it.each([
    ["failure", "failed", `the plan run failed (${URL_101})`],
    ["startup_failure", "failed", `the plan run ended with conclusion "startup_failure" (${URL_101})`],
    ["cancelled", "cancelled", `the plan run was cancelled (${URL_101})`],
    ["timed_out", "timed_out", `the plan run timed out on GitHub (${URL_101})`],
  ])("ends the job on conclusion %s as %s, with the run link", (conclusion, status, reason) => {
    const tr = step(planning(), { type: "run-completed", runId: 101, conclusion }, t(10));
    expect(tr.job.status).toBe(status);
    expect(tr.job.reason).toBe(reason);
    expect(tr.effects).toEqual([{ type: "release-lock" }, { type: "wake-dependents" }]);
  });

  it("is refused for a run flowgate did not dispatch for this job", () => {
    const job = planning();
    refused(
      job,
      { type: "run-completed", runId: 555, conclusion: "success", result: planResult(job) },
      t(10),
      /run 555 is not the job's current run \(run 101\); results from runs flowgate did not dispatch/,
    );
  });

  it("is refused while the run id is not known yet", () => {
    const job = step(makeJob(), { type: "ready", lockToken: 1 }, t(1)).job;
    refused(
      job,
      { type: "run-completed", runId: 101, conclusion: "success" },
      t(5),
      /whose id is not known yet/,
    );
  });

  it("is refused when no run is in progress", () => {
    refused(
      awaitingApproval(),
      { type: "run-completed", runId: 101, conclusion: "success" },
      t(11),
      /no run in progress/,
    );
  });
});

describe("run-completed while applying", () => {
  it("succeeds, releases the lock and wakes dependents", () => {
    const tr = step(applying(), { type: "run-completed", runId: 102, conclusion: "success" }, t(30));
    expect(tr.job.status).toBe("succeeded");
    expect(tr.job.reason).toBe("applied (+1 ~2 -0)");
    expect(tr.job.deadline).toBeUndefined();
    expect(tr.effects).toEqual([{ type: "release-lock" }, { type: "wake-dependents" }]);
  });

  it.each([
    ["failure", "failed"],
    ["cancelled", "cancelled"],
    ["timed_out", "timed_out"],
  ])("ends on %s as %s, releasing the lock", (conclusion, status) => {
    const tr = step(applying(), { type: "run-completed", runId: 102, conclusion }, t(30));
    expect(tr.job.status).toBe(status);
    expect(tr.job.reason).toMatch(/^the apply run /);
    expect(tr.effects).toEqual([{ type: "release-lock" }, { type: "wake-dependents" }]);
  });

  it("is refused for the plan run that already finished", () => {
    refused(
      applying(),
      { type: "run-completed", runId: 101, conclusion: "success" },
      t(30),
      /not the job's current run/,
    );
  });
});

describe("approved", () => {
  it("applies a fresh plan with plan_run_id and records the approval", () => {
    const tr = step(
      awaitingApproval(),
      { type: "approved", approvers: ["bob", "erin", "bob"], carriedOver: false },
      t(20),
    );
    expect(tr.job.status).toBe("applying");
    expect(tr.job.approval).toEqual({
      approvers: ["bob", "erin"],
      at: t(20).toISOString(),
      carriedOver: false,
    });
    expect(tr.job.reason).toBe("approved by @bob, @erin; applying the saved plan");
    expect(tr.job.deadline).toBe(t(200).toISOString());
    expect(tr.effects).toEqual([
      { type: "dispatch", operation: "apply", inputs: expect.objectContaining({ plan_run_id: "101" }) },
      { type: "schedule-deadline", at: t(200).toISOString() },
    ]);
  });

  it("plans again when the plan grew older than planMaxAge while waiting", () => {
    const at = t(10 + 24 * 60 + 1);
    const tr = step(awaitingApproval(), { type: "approved", approvers: ["bob"], carriedOver: false }, at);
    expect(tr.job.status).toBe("planning");
    expect(tr.job.reason).toBe("the plan was older than 1d when @bob approved; planning again");
    expect(tr.job.plan).toBeUndefined();
    expect(tr.job.approval).toBeUndefined();
    expect(tr.job.lockToken).toBe(5);
    expect(tr.effects[0]).toMatchObject({ type: "dispatch", operation: "plan", inputs: { plan_run_id: "" } });
  });

  it("is refused outside awaiting_approval, or without approvers", () => {
    refused(
      planning(),
      { type: "approved", approvers: ["bob"], carriedOver: false },
      t(5),
      /not waiting for approval/,
    );
    refused(
      awaitingApproval(),
      { type: "approved", approvers: [], carriedOver: false },
      t(20),
      /at least one approver/,
    );
  });
});

describe("cancel", () => {
  it.each<[string, () => StackJob]>([
    ["pending", () => makeJob({ controls: controls({ disableOnLifecycleEvents: true }) })],
    ["awaiting_start", () => makeJob({ controls: controls({ isManual: true }) })],
    ["queued", () => makeJob()],
    ["awaiting_approval", awaitingApproval],
  ])("cancels a %s job, naming who and why", (_, build) => {
    const tr = step(build(), { type: "cancel", by: "alice", reason: "wrong window" }, t(30));
    expect(tr.job.status).toBe("cancelled");
    expect(tr.job.reason).toBe("cancelled by alice: wrong window");
    expect(tr.effects.some((e) => e.type === "cancel-run")).toBe(false);
  });

  it("cancels the run in progress and releases the lock", () => {
    const tr = step(planning(), { type: "cancel", by: "alice" }, t(5));
    expect(tr.job.reason).toBe("cancelled by alice");
    expect(tr.job.runs[0]).toMatchObject({ status: "completed", conclusion: "cancelled" });
    expect(tr.effects).toEqual([
      { type: "cancel-run", runId: 101 },
      { type: "release-lock" },
      { type: "wake-dependents" },
    ]);
  });

  it("cancels a run whose id arrives after the job was cancelled", () => {
    const dispatching = step(makeJob(), { type: "ready", lockToken: 1 }, t(1)).job;
    const cancelled = step(dispatching, { type: "cancel", by: "alice" }, t(1));
    expect(cancelled.effects).toEqual([{ type: "release-lock" }, { type: "wake-dependents" }]);
    const late = transition(cancelled.job, { type: "dispatched", operation: "plan", runId: 88 }, t(2));
    expect(late.accepted).toBe(false);
    expect(late.job).toBe(cancelled.job);
    expect(late.effects).toEqual([{ type: "cancel-run", runId: 88 }]);
  });

  it("is refused for a job that already ended", () => {
    const done = step(planning(), { type: "cancel", by: "alice" }, t(5)).job;
    refused(done, { type: "cancel", by: "bob" }, t(6), /already ended \(cancelled\)/);
  });
});

describe("supersede", () => {
  it("supersedes a planning job, cancelling its plan run and releasing the lock", () => {
    const tr = step(
      planning(),
      { type: "supersede", byJob: "job-billing-db-2", sha: "def5678aaaaaaaa" },
      t(5),
    );
    expect(tr.job.status).toBe("superseded");
    expect(tr.job.reason).toBe("superseded by job job-billing-db-2 at sha def5678");
    expect(tr.effects).toEqual([
      { type: "cancel-run", runId: 101 },
      { type: "release-lock" },
      { type: "wake-dependents" },
    ]);
  });

  it.each<[string, () => StackJob]>([
    ["pending", () => makeJob({ controls: controls({ disableOnLifecycleEvents: true }) })],
    ["awaiting_start", () => makeJob({ controls: controls({ isManual: true }) })],
    ["queued", () => makeJob()],
    ["awaiting_approval", awaitingApproval],
  ])("supersedes a %s job", (_, build) => {
    const tr = step(build(), { type: "supersede", byJob: "job-2", sha: "def5678" }, t(30));
    expect(tr.job.status).toBe("superseded");
  });

  it("never supersedes a job that is applying", () => {
    refused(applying(), { type: "supersede", byJob: "job-2", sha: "def5678" }, t(25), /never superseded/);
  });

  it("is refused for a job that already ended, or by the job itself", () => {
    const done = step(applying(), { type: "run-completed", runId: 102, conclusion: "success" }, t(30)).job;
    refused(
      done,
      { type: "supersede", byJob: "job-2", sha: "def5678" },
      t(31),
      /already ended \(succeeded\)/,
    );
    refused(
      makeJob(),
      { type: "supersede", byJob: "job-billing-db-1", sha: "def" },
      t(1),
      /cannot supersede itself/,
    );
  });
});

describe("dependency-failed", () => {
  const waiting = () => makeJob({ dependsOn: ["job-net-1"] });
  const failedDep = { type: "dependency-failed", dependency: "job-net-1", stack: "billing-network" } as const;

  it("cancels a job that has not started", () => {
    const tr = step(waiting(), { ...failedDep, status: "failed" }, t(5));
    expect(tr.job.status).toBe("cancelled");
    expect(tr.job.reason).toBe("dependency billing-network ended failed");
    expect(tr.effects).toEqual([{ type: "wake-dependents" }]);
    expect(step(waiting(), { ...failedDep, status: "timed_out" }, t(5)).job.reason).toBe(
      "dependency billing-network ended timed out",
    );
  });

  it("is refused for a job that has started", () => {
    const started = step(waiting(), { type: "ready", lockToken: 1 }, t(1)).job;
    refused(
      started,
      { ...failedDep, status: "failed" },
      t(5),
      /the job is planning; only a job that has not started/,
    );
  });

  it("is refused for a job it does not depend on, or a dependency that succeeded", () => {
    refused(makeJob(), { ...failedDep, status: "failed" }, t(5), /not one this job depends on/);
    refused(waiting(), { ...failedDep, status: "succeeded" }, t(5), /is succeeded, which is no failure/);
  });
});

describe("timeout", () => {
  it("times out a plan past its deadline, cancelling the run and releasing the lock", () => {
    const tr = step(planning(), { type: "timeout" }, t(61));
    expect(tr.job.status).toBe("timed_out");
    expect(tr.job.reason).toBe("plan did not finish within 1h");
    expect(tr.job.deadline).toBeUndefined();
    expect(tr.effects).toEqual([
      { type: "cancel-run", runId: 101 },
      { type: "release-lock" },
      { type: "wake-dependents" },
    ]);
  });

  it("times out an approval and an apply with their own limits", () => {
    const approval = step(awaitingApproval(), { type: "timeout" }, new Date(t(10).getTime() + 7 * DAY));
    expect(approval.job.reason).toBe("no approval within 7d");
    expect(approval.effects).toEqual([{ type: "release-lock" }, { type: "wake-dependents" }]);
    const apply = step(applying(), { type: "timeout" }, new Date(t(20).getTime() + 3 * HOUR));
    expect(apply.job.reason).toBe("apply did not finish within 3h");
  });

  it("is refused before the deadline (a stale timer) and without one", () => {
    const job = planning();
    refused(job, { type: "timeout" }, t(60), /this timer is stale/);
    refused(makeJob(), { type: "timeout" }, t(60), /no deadline/);
  });

  it("is refused once the job ended", () => {
    const done = step(planning(), { type: "timeout" }, t(61)).job;
    refused(done, { type: "timeout" }, t(120), /already ended \(timed out\)/);
  });
});

describe("retry", () => {
  it.each<[JobStatus, JobEvent]>([
    ["failed", { type: "run-completed", runId: 101, conclusion: "failure" }],
    ["timed_out", { type: "timeout" }],
    ["cancelled", { type: "cancel", by: "alice" }],
  ])("queues a %s job again", (status, ending) => {
    const ended = step(planning(), ending, t(70)).job;
    expect(ended.status).toBe(status);
    const tr = step(ended, { type: "retry", by: alice }, t(80));
    expect(tr.job.status).toBe("queued");
    expect(tr.job.reason).toBe("retried by @alice; queued: waiting for the stack lock");
    expect(tr.job.lockToken).toBeUndefined();
    expect(tr.effects).toEqual([]);
  });

  it("keeps a fresh plan nobody applied, and drops one that is too old", () => {
    const cancelled = step(awaitingApproval(), { type: "cancel", by: "alice" }, t(20)).job;
    expect(step(cancelled, { type: "retry", by: alice }, t(30)).job.plan?.runId).toBe(101);
    expect(step(cancelled, { type: "retry", by: alice }, t(11 + 24 * 60)).job.plan).toBeUndefined();
  });

  it("drops a plan an apply already ran from, with its approval", () => {
    const failed = step(applying(), { type: "run-completed", runId: 102, conclusion: "failure" }, t(30)).job;
    const tr = step(failed, { type: "retry", by: alice }, t(40));
    expect(tr.job.plan).toBeUndefined();
    expect(tr.job.approval).toBeUndefined();
  });

  it("is refused for a succeeded or superseded job", () => {
    const done = step(applying(), { type: "run-completed", runId: 102, conclusion: "success" }, t(30)).job;
    refused(
      done,
      { type: "retry", by: alice },
      t(31),
      /the job is succeeded; only a failed, timed-out or cancelled/,
    );
    const gone = step(makeJob(), { type: "supersede", byJob: "job-2", sha: "def" }, t(1)).job;
    refused(gone, { type: "retry", by: alice }, t(2), /a superseded job is never retried/);
  });

  it("is refused for a job that has not ended", () => {
    refused(planning(), { type: "retry", by: alice }, t(5), /the job is planning/);
  });
});

describe("terminal states accept nothing but retry", () => {
  const events: JobEvent[] = [
    { type: "start", by: alice },
    { type: "ready", lockToken: 1 },
    { type: "dispatched", operation: "plan", runId: 101 },
    { type: "dispatch-failed", operation: "plan", message: "x" },
    { type: "run-status", runId: 101, status: "running" },
    { type: "run-completed", runId: 101, conclusion: "success" },
    { type: "approved", approvers: ["bob"], carriedOver: false },
    { type: "cancel", by: "alice" },
    { type: "supersede", byJob: "job-2", sha: "def" },
    { type: "dependency-failed", dependency: "x", stack: "x", status: "failed" },
    { type: "timeout" },
  ];
  const ended: [string, () => StackJob][] = [
    [
      "succeeded",
      () => step(applying(), { type: "run-completed", runId: 102, conclusion: "success" }, t(30)).job,
    ],
    [
      "failed",
      () => step(planning(), { type: "run-completed", runId: 101, conclusion: "failure" }, t(30)).job,
    ],
    ["cancelled", () => step(planning(), { type: "cancel", by: "a" }, t(30)).job],
    ["superseded", () => step(planning(), { type: "supersede", byJob: "j", sha: "s" }, t(30)).job],
    ["timed_out", () => step(planning(), { type: "timeout" }, t(70)).job],
  ];
  for (const [status, build] of ended) {
    it(`${status} refuses every other event`, () => {
      const job = build();
      expect(job.status).toBe(status);
      for (const event of events) refused(job, event, t(10_000), /already ended/);
    });
  }
});

describe("history, deadlines and reasons", () => {
  it("appends every status change and keeps only the last entries", () => {
    let job = makeJob({ controls: controls({ isManual: true }) });
    const before = job.history.length;
    job = step(job, { type: "start", by: alice }, t(1)).job;
    expect(job.history).toHaveLength(before + 1);
    expect(job.history.at(-1)).toEqual({ at: t(1).toISOString(), status: "queued", note: job.reason });
    expect(job.updatedAt).toBe(t(1).toISOString());
    for (let i = 0; i < 40; i++) {
      job = drive(job, [
        [{ type: "cancel", by: "alice" }, 2 + i],
        [{ type: "retry", by: alice }, 2 + i],
      ]);
    }
    expect(job.history).toHaveLength(HISTORY_LIMIT);
    expect(job.history.at(-1)?.status).toBe("queued");
    expect(job.history.at(-2)?.status).toBe("cancelled");
  });

  it("clears the deadline when the step it guarded ends", () => {
    const job = planning();
    expect(job.deadline).toBe(t(61).toISOString());
    const waiting = step(
      job,
      { type: "run-completed", runId: 101, conclusion: "success", result: planResult(job) },
      t(10),
    ).job;
    expect(waiting.deadline).toBe(new Date(t(10).getTime() + 7 * DAY).toISOString());
  });
});

describe("dispatchInputs", () => {
  it("gives exactly the seven string inputs of SPEC §5", () => {
    const job = makeJob({ controls: controls({ skipRefresh: true }) });
    expect(dispatchInputs(job, "plan")).toEqual({
      job_id: "job-billing-db-1",
      stack: "billing-db",
      operation: "plan",
      sha: job.sha,
      path: "stacks/billing-db",
      refresh: "false",
      plan_run_id: "",
    });
  });

  it("names the plan's run when applying a saved plan, and refreshes unless skipRefresh", () => {
    const inputs = dispatchInputs(awaitingApproval(), "apply");
    expect(Object.keys(inputs).sort()).toEqual([
      "job_id",
      "operation",
      "path",
      "plan_run_id",
      "refresh",
      "sha",
      "stack",
    ]);
    expect(inputs.plan_run_id).toBe("101");
    expect(inputs.refresh).toBe("true");
    expect(dispatchInputs(awaitingApproval(), "plan").plan_run_id).toBe("");
  });
});

describe("planIsFresh", () => {
  it("holds up to planMaxAge after the plan finished", () => {
    const job = awaitingApproval();
    expect(planIsFresh(job, t(10 + 24 * 60))).toBe(true);
    expect(planIsFresh(job, t(10 + 24 * 60 + 1))).toBe(false);
    expect(planIsFresh(makeJob(), t(10))).toBe(false);
  });
});

describe("recontrol (schedules decide when an apply is dispatched)", () => {
  it("holds a queued job nobody started by hand when isManual or disableOnLifecycleEvents now holds", () => {
    const manual = step(
      makeJob(),
      { type: "recontrol", controls: controls({ isManual: true }), reason: "after hours" },
      t(5),
    );
    expect(manual.job.status).toBe("awaiting_start");
    expect(manual.job.reason).toMatch(/^after hours: isManual now holds/);
    const batch = step(
      makeJob(),
      { type: "recontrol", controls: controls({ disableOnLifecycleEvents: true }), reason: "weekend" },
      t(5),
    );
    expect(batch.job.status).toBe("pending");
    expect(manual.effects).toEqual([]);
  });

  it("never holds again a job someone started by hand; it only updates how the run goes", () => {
    const started = step(
      makeJob({ controls: controls({ isManual: true }) }),
      { type: "start", by: alice },
      t(1),
    ).job;
    expect(started.startedBy).toEqual(alice);
    const tr = step(
      started,
      {
        type: "recontrol",
        controls: controls({ isManual: true, pauseBetweenPreviewAndUpdateOrDestroy: false }),
        reason: "business hours",
      },
      t(5),
    );
    expect(tr.job.status).toBe("queued");
    expect(tr.job.controls.pauseBetweenPreviewAndUpdateOrDestroy).toBe(false);
  });

  it("is refused when nothing changed, for a job that is not queued, and for plan jobs", () => {
    const job = makeJob();
    refused(job, { type: "recontrol", controls: job.controls, reason: "x" }, t(2), /did not change/);
    const waiting = makeJob({ controls: controls({ isManual: true }) });
    refused(waiting, { type: "recontrol", controls: controls(), reason: "x" }, t(2), /not queued/);
    const plan = makeJob({ kind: "plan", prNumber: 3 });
    refused(
      plan,
      { type: "recontrol", controls: controls({ skipRefresh: true }), reason: "x" },
      t(2),
      /only apply jobs/,
    );
  });
});
