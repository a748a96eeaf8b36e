/**
 * Random event sequences from random jobs: the machine never throws, never leaves an ended job (except
 * a retry of a failed, timed-out or cancelled one), never dispatches while a run is in progress, never
 * applies an unapproved plan where a pause holds, and never changes its input.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { newJob } from "../../../src/engine/stack-job/create.js";
import { isTerminal, transition } from "../../../src/engine/stack-job/transition.js";
import type { JobEvent, JobStatus, StackJob } from "../../../src/engine/stack-job/types.js";
import { planFingerprint } from "../../../src/plan/fingerprint.js";
import type { ResultResource } from "../../../src/plan/result.js";
import { CHANGES, create, deepFreeze, jobInput, noop, planResult, t } from "./builders.js";

const PLANS: Record<string, ResultResource[]> = {
  changes: CHANGES,
  other: [...CHANGES, create("aws_db_instance.extra")],
  none: [noop("aws_db_instance.main")],
  importOnly: [
    { address: "aws_s3_bucket.logs", type: "aws_s3_bucket", action: "import", changedAttributes: [] },
  ],
};
const PLAN_NAMES = Object.keys(PLANS);
const STATUSES: JobStatus[] = [
  "pending",
  "awaiting_start",
  "queued",
  "planning",
  "awaiting_approval",
  "applying",
  "succeeded",
  "failed",
  "cancelled",
  "superseded",
  "timed_out",
];
const CONCLUSIONS = ["success", "failure", "cancelled", "timed_out", "startup_failure"];

/** Events as generated: some name the job's current run, resolved against the job when applied. */
type Move =
  | { kind: "literal"; event: JobEvent }
  | { kind: "dispatched-current"; withId: boolean }
  | {
      kind: "complete-current";
      conclusion: string;
      plan: string;
      outcome: "success" | "failure";
      result: "ok" | "none" | "error" | "foreign";
    }
  | { kind: "status-current"; status: "running" | "waiting" }
  /** whatever moves the job on from where it is, so walks get deep */
  | { kind: "progress"; plan: string };

const actor = fc.constantFrom(
  { login: "alice", type: "user" as const },
  { login: "ci", type: "bot" as const },
);
const operation = fc.constantFrom("plan" as const, "apply" as const);
const literal: fc.Arbitrary<JobEvent> = fc.oneof(
  fc.record({ type: fc.constant("start" as const), by: actor }),
  fc.record({
    type: fc.constant("ready" as const),
    lockToken: fc.option(fc.integer({ min: 1, max: 9 }), { nil: undefined }),
  }),
  fc.record({
    type: fc.constant("dispatched" as const),
    operation,
    runId: fc.option(fc.integer({ min: 100, max: 103 }), { nil: undefined }),
  }),
  fc.record({
    type: fc.constant("dispatch-failed" as const),
    operation,
    message: fc.constant("422 Unprocessable"),
  }),
  fc.record({
    type: fc.constant("run-status" as const),
    runId: fc.integer({ min: 100, max: 103 }),
    status: fc.constantFrom("running" as const, "waiting" as const),
  }),
  fc.record({
    type: fc.constant("run-completed" as const),
    runId: fc.integer({ min: 100, max: 103 }),
    conclusion: fc.constantFrom(...CONCLUSIONS),
  }),
  fc.record({
    type: fc.constant("approved" as const),
    approvers: fc.subarray(["bob", "erin"]),
    carriedOver: fc.boolean(),
  }),
  fc.record({
    type: fc.constant("cancel" as const),
    by: fc.constant("alice"),
    reason: fc.option(fc.constant("why"), { nil: undefined }),
  }),
  fc.record({
    type: fc.constant("supersede" as const),
    byJob: fc.constantFrom("job-2", "job-1"),
    sha: fc.constant("def5678def5678"),
  }),
  fc.record({
    type: fc.constant("dependency-failed" as const),
    dependency: fc.constantFrom("dep-1", "dep-x"),
    stack: fc.constant("net"),
    status: fc.constantFrom(...STATUSES),
  }),
  fc.constant({ type: "timeout" as const }),
  fc.record({ type: fc.constant("retry" as const), by: actor }),
);
const move: fc.Arbitrary<Move> = fc.oneof(
  { weight: 3, arbitrary: literal.map((event) => ({ kind: "literal" as const, event })) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("dispatched-current" as const), withId: fc.boolean() }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("complete-current" as const),
      conclusion: fc.constantFrom("success", "success", ...CONCLUSIONS),
      plan: fc.constantFrom(...PLAN_NAMES),
      outcome: fc.constantFrom("success" as const, "success" as const, "failure" as const),
      result: fc.constantFrom(
        "ok" as const,
        "ok" as const,
        "none" as const,
        "error" as const,
        "foreign" as const,
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("status-current" as const),
      status: fc.constantFrom("running" as const, "waiting" as const),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant("progress" as const), plan: fc.constantFrom(...PLAN_NAMES) }),
  },
);
/** Minutes between events: none, a little, past the plan limit, past planMaxAge, past the approval limit. */
const gap = fc.constantFrom(0, 1, 61, 24 * 60 + 1, 7 * 24 * 60 + 1);

const initial = fc.record({
  kind: fc.constantFrom("plan" as const, "apply" as const),
  isManual: fc.boolean(),
  disableOnLifecycleEvents: fc.boolean(),
  skipRefresh: fc.boolean(),
  previewBeforeUpdateOrDestroy: fc.boolean(),
  pauseBetweenPreviewAndUpdateOrDestroy: fc.boolean(),
  pr: fc.boolean(),
  carryOver: fc.option(fc.constantFrom(...PLAN_NAMES), { nil: undefined }),
  forcePause: fc.boolean(),
});

function makeInitial(p: typeof initial extends fc.Arbitrary<infer R> ? R : never): StackJob {
  const { kind, pr, carryOver, forcePause, ...controls } = p;
  return newJob(
    jobInput({
      kind,
      controls,
      prNumber: pr ? 7 : undefined,
      dependsOn: ["dep-1"],
      carryOver:
        carryOver !== undefined
          ? { fingerprint: planFingerprint(PLANS[carryOver] ?? []), approvers: ["bob"] }
          : undefined,
      forcePause: forcePause ? "the policy changed" : undefined,
    }),
    t(0),
  );
}

let nextRunId = 1000;
function resolve(job: StackJob, m: Move): JobEvent {
  const run = job.runs.at(-1);
  switch (m.kind) {
    case "literal":
      return m.event;
    case "progress":
      return progress(job, m.plan);
    case "dispatched-current":
      return {
        type: "dispatched",
        operation: run?.operation ?? "plan",
        runId: m.withId ? nextRunId++ : undefined,
      };
    case "status-current":
      return { type: "run-status", runId: run?.runId ?? 1, status: m.status };
    case "complete-current": {
      const base = { type: "run-completed" as const, runId: run?.runId ?? 1, conclusion: m.conclusion };
      const result = {
        ...planResult(job, PLANS[m.plan] ?? []),
        operation: run?.operation ?? "plan",
        outcome: m.outcome,
      };
      if (m.result === "none") return base;
      if (m.result === "error") return { ...base, resultError: "result.json is not valid: broken" };
      if (m.result === "foreign") return { ...base, result: { ...result, jobId: "someone-else" } };
      return { ...base, result };
    }
  }
}

function progress(job: StackJob, plan: string): JobEvent {
  const run = job.runs.at(-1);
  switch (job.status) {
    case "pending":
    case "awaiting_start":
      return { type: "start", by: { login: "alice", type: "user" } };
    case "queued":
      return { type: "ready", lockToken: 7 };
    case "awaiting_approval":
      return { type: "approved", approvers: ["erin"], carriedOver: false };
    case "planning":
    case "applying":
      if (run?.runId === undefined)
        return { type: "dispatched", operation: run?.operation ?? "plan", runId: nextRunId++ };
      return {
        type: "run-completed",
        runId: run.runId,
        conclusion: "success",
        result: { ...planResult(job, PLANS[plan] ?? []), operation: run.operation },
      };
    default:
      return { type: "retry", by: { login: "alice", type: "user" } };
  }
}

const inProgress = (job: StackJob) => job.runs.filter((r) => r.status !== "completed");

describe("the state machine under random events", () => {
  /** Statuses the random walks reached: proof the generator gets past the first steps. */
  const reached = new Set<JobStatus>();

  it("keeps its invariants", () => {
    fc.assert(
      fc.property(initial, fc.array(fc.tuple(move, gap), { minLength: 5, maxLength: 60 }), (init, moves) => {
        let job = makeInitial(init);
        let minute = 0;
        for (const [m, dt] of moves) {
          minute += dt;
          const now = t(minute);
          const event = resolve(job, m);
          const frozen = deepFreeze(structuredClone(job));
          const snapshot = structuredClone(frozen);
          const tr = transition(frozen, event, now);

          // Pure: the input is untouched (it is frozen: a write would have thrown, too).
          expect(frozen).toEqual(snapshot);
          if (!tr.accepted) {
            expect(tr.job).toBe(frozen);
            expect(tr.effects.every((e) => e.type === "cancel-run")).toBe(true);
            expect(tr.note).not.toBe("");
          }
          const next = tr.job;

          // An ended job stays ended, except a retry of a failed, timed-out or cancelled one.
          if (isTerminal(job)) {
            const retried =
              event.type === "retry" && ["failed", "timed_out", "cancelled"].includes(job.status);
            expect(next.status).toBe(retried ? "queued" : job.status);
          }
          if (isTerminal(next)) {
            expect(next.deadline).toBeUndefined();
            expect(next.lockToken).toBeUndefined();
            expect(inProgress(next)).toEqual([]);
          }

          // One run at a time: a dispatch only when no other run of the job is in progress.
          const dispatches = tr.effects.filter((e) => e.type === "dispatch");
          expect(dispatches.length).toBeLessThanOrEqual(1);
          expect(inProgress(next).length).toBeLessThanOrEqual(1);
          const d = dispatches[0];
          if (d !== undefined) {
            // The new run is the only one in progress: any earlier run has completed.
            expect(next.runs.length).toBe(job.runs.length + 1);
            expect(inProgress(next)).toEqual([next.runs.at(-1)]);
            expect(next.runs.at(-1)?.status).toBe("dispatching");
            expect(Object.keys(d.inputs).sort()).toEqual([
              "job_id",
              "operation",
              "path",
              "plan_run_id",
              "refresh",
              "sha",
              "stack",
            ]);
            expect(Object.values(d.inputs).every((v) => typeof v === "string")).toBe(true);
            expect(tr.effects).toContainEqual({ type: "schedule-deadline", at: next.deadline });
            if (next.kind === "apply") expect(next.lockToken).toEqual(expect.any(Number));
            if (d.operation === "apply") {
              expect(next.kind).toBe("apply");
              const pause =
                next.controls.pauseBetweenPreviewAndUpdateOrDestroy || next.forcePause !== undefined;
              // Never apply a plan that needed an approval and has none.
              if (next.plan !== undefined && pause)
                expect(next.approval?.approvers.length ?? 0).toBeGreaterThan(0);
              if (next.forcePause !== undefined) expect(next.approval?.carriedOver ?? false).toBe(false);
              expect(d.inputs.plan_run_id).toBe(next.plan !== undefined ? String(next.plan.runId) : "");
            }
          }
          expect(next.history.length).toBeLessThanOrEqual(50);
          reached.add(next.status);
          job = next;
        }
      }),
      { numRuns: 400 },
    );
    expect([...reached].sort()).toEqual([...STATUSES].sort());
  });

  it("refuses a timeout before the deadline at every point", () => {
    fc.assert(
      fc.property(initial, fc.array(fc.tuple(move, gap), { maxLength: 20 }), (init, moves) => {
        let job = makeInitial(init);
        let minute = 0;
        for (const [m, dt] of moves) {
          minute += dt;
          job = transition(job, resolve(job, m), t(minute)).job;
          if (job.deadline !== undefined) {
            const early = new Date(Date.parse(job.deadline) - 1);
            expect(transition(job, { type: "timeout" }, early).accepted).toBe(false);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
