/** The Planton seed's four flow-control patterns, as event sequences through the state machine. */
import { describe, expect, it } from "vitest";
import { transition } from "../../../src/engine/stack-job/transition.js";
import type { JobEffect, StackJob } from "../../../src/engine/stack-job/types.js";
import { controls, makeJob, planResult, step, t } from "./builders.js";

const dispatches = (effects: JobEffect[]) => effects.filter((e) => e.type === "dispatch");

describe("development speed: push → plan → auto-apply, no human", () => {
  it("plans, then applies the saved plan without waiting", () => {
    const dev = controls({ skipRefresh: true, pauseBetweenPreviewAndUpdateOrDestroy: false });
    let job: StackJob = makeJob({ environment: "development", controls: dev });
    expect(job.status).toBe("queued");

    let tr = step(job, { type: "ready", lockToken: 1 }, t(1));
    job = tr.job;
    expect(job.status).toBe("planning");
    expect(dispatches(tr.effects)).toEqual([
      {
        type: "dispatch",
        operation: "plan",
        inputs: expect.objectContaining({ operation: "plan", refresh: "false" }),
      },
    ]);

    job = step(job, { type: "dispatched", operation: "plan", runId: 11 }, t(1)).job;
    tr = step(
      job,
      { type: "run-completed", runId: 11, conclusion: "success", result: planResult(job) },
      t(2),
    );
    job = tr.job;
    expect(job.status).toBe("applying");
    expect(dispatches(tr.effects)).toEqual([
      {
        type: "dispatch",
        operation: "apply",
        inputs: expect.objectContaining({ operation: "apply", plan_run_id: "11", refresh: "false" }),
      },
    ]);

    job = step(job, { type: "dispatched", operation: "apply", runId: 12 }, t(2)).job;
    tr = step(job, { type: "run-completed", runId: 12, conclusion: "success" }, t(3));
    expect(tr.job.status).toBe("succeeded");
    expect(tr.job.approval).toBeUndefined();
    expect(tr.effects).toEqual([{ type: "release-lock" }, { type: "wake-dependents" }]);
    expect(tr.job.history.map((h) => h.status)).toEqual(["queued", "planning", "applying", "succeeded"]);
  });
});

describe("production safety: push → refresh → plan → wait for approval → apply", () => {
  it("stops after the plan until someone approves", () => {
    let job = makeJob({ prNumber: undefined });
    const ready = step(job, { type: "ready", lockToken: 2 }, t(1));
    job = ready.job;
    expect(job.status).toBe("planning");
    expect(dispatches(ready.effects)).toEqual([
      {
        type: "dispatch",
        operation: "plan",
        inputs: expect.objectContaining({ refresh: "true", plan_run_id: "" }),
      },
    ]);
    job = step(job, { type: "dispatched", operation: "plan", runId: 21 }, t(1)).job;
    let tr = step(
      job,
      { type: "run-completed", runId: 21, conclusion: "success", result: planResult(job) },
      t(5),
    );
    job = tr.job;
    expect(job.status).toBe("awaiting_approval");
    expect(dispatches(tr.effects)).toEqual([]);
    expect(tr.effects).toEqual([
      { type: "schedule-deadline", at: new Date(t(5).getTime() + 7 * 86_400_000).toISOString() },
    ]);

    tr = step(job, { type: "approved", approvers: ["bob"], carriedOver: false }, t(60));
    job = tr.job;
    expect(job.status).toBe("applying");
    expect(job.approval).toEqual({ approvers: ["bob"], at: t(60).toISOString(), carriedOver: false });
    expect(dispatches(tr.effects)).toEqual([
      {
        type: "dispatch",
        operation: "apply",
        inputs: expect.objectContaining({ plan_run_id: "21", refresh: "true" }),
      },
    ]);

    job = step(job, { type: "dispatched", operation: "apply", runId: 22 }, t(60)).job;
    job = step(job, { type: "run-completed", runId: 22, conclusion: "success" }, t(70)).job;
    expect(job.status).toBe("succeeded");
    expect(job.history.map((h) => h.status)).toEqual([
      "queued",
      "planning",
      "awaiting_approval",
      "applying",
      "succeeded",
    ]);
  });
});

describe("batch: disableOnLifecycleEvents keeps the job pending until started", () => {
  it("ignores readiness while pending, then runs once started", () => {
    const batch = controls({ disableOnLifecycleEvents: true, pauseBetweenPreviewAndUpdateOrDestroy: false });
    let job = makeJob({ environment: "staging", controls: batch });
    expect(job.status).toBe("pending");
    expect(job.reason).toContain("flowgate apply --env staging --all-pending");

    const early = transition(job, { type: "ready", lockToken: 3 }, t(1));
    expect(early.accepted).toBe(false);
    expect(early.job.status).toBe("pending");

    job = step(job, { type: "start", by: { login: "carol", type: "user" } }, t(480)).job;
    expect(job.status).toBe("queued");
    expect(job.reason).toContain("started by @carol");
    const tr = step(job, { type: "ready", lockToken: 3 }, t(481));
    expect(tr.job.status).toBe("planning");
    expect(dispatches(tr.effects)).toHaveLength(1);
  });
});

describe("critical resource: nothing until a manual start, then plan and wait for approval", () => {
  it("waits for /apply, plans, and waits for approval again", () => {
    const critical = controls({ isManual: true });
    let job = makeJob({ stack: "payment-db", controls: critical });
    expect(job.status).toBe("awaiting_start");
    expect(transition(job, { type: "ready", lockToken: 4 }, t(1)).accepted).toBe(false);
    expect(transition(job, { type: "approved", approvers: ["bob"], carriedOver: false }, t(1)).accepted).toBe(
      false,
    );

    job = step(job, { type: "start", by: { login: "dave", type: "user" } }, t(30)).job;
    expect(job.status).toBe("queued");
    job = step(job, { type: "ready", lockToken: 4 }, t(31)).job;
    expect(job.status).toBe("planning");
    job = step(job, { type: "dispatched", operation: "plan", runId: 41 }, t(31)).job;
    job = step(
      job,
      { type: "run-completed", runId: 41, conclusion: "success", result: planResult(job) },
      t(40),
    ).job;
    expect(job.status).toBe("awaiting_approval");
    expect(job.history.map((h) => h.status)).toEqual([
      "awaiting_start",
      "queued",
      "planning",
      "awaiting_approval",
    ]);
  });
});
