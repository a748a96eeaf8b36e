import { expect } from "vitest";
import { type NewJobInput, newJob } from "../../../src/engine/stack-job/create.js";
import { transition } from "../../../src/engine/stack-job/transition.js";
import type { JobControls, JobEvent, StackJob, Transition } from "../../../src/engine/stack-job/types.js";
import { countSummary, type ResultJson, type ResultResource } from "../../../src/plan/result.js";

export const SHA = "abc1234def5678901234567890abcdef12345678";
export const OTHER_SHA = "fedcba9876543210fedcba9876543210fedcba98";

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Minutes after a fixed start, so every test reads its timeline at a glance. */
export function t(minutes: number): Date {
  return new Date(Date.UTC(2026, 0, 5, 10, 0, 0) + minutes * MINUTE);
}

export const TIMEOUTS = { planMs: HOUR, applyMs: 3 * HOUR, approvalMs: 7 * DAY, planMaxAgeMs: DAY };

/** The Production Safety pattern unless told otherwise. */
export function controls(overrides: Partial<JobControls> = {}): JobControls {
  return {
    isManual: false,
    disableOnLifecycleEvents: false,
    skipRefresh: false,
    previewBeforeUpdateOrDestroy: true,
    pauseBetweenPreviewAndUpdateOrDestroy: true,
    ...overrides,
  };
}

export function jobInput(overrides: Partial<NewJobInput> = {}): NewJobInput {
  return {
    id: "job-billing-db-1",
    kind: "apply",
    installationId: 42,
    owner: "acme",
    repo: "infra",
    stack: "billing-db",
    environment: "production",
    workflow: "flowgate.yml",
    path: "stacks/billing-db",
    sha: SHA,
    prNumber: 7,
    controls: controls(),
    policy: { name: "prod-safe", file: ".github/flowgate/policies.yml" },
    timeouts: { ...TIMEOUTS },
    dependsOn: [],
    gates: [],
    triggeredBy: { login: "alice", type: "user" },
    ...overrides,
  };
}

export function makeJob(overrides: Partial<NewJobInput> = {}, at = t(0)): StackJob {
  return newJob(jobInput(overrides), at);
}

export function update(address: string): ResultResource {
  return { address, type: address.split(".")[0] ?? "x", action: "update", changedAttributes: ["size"] };
}
export function create(address: string): ResultResource {
  return { address, type: address.split(".")[0] ?? "x", action: "create", changedAttributes: [] };
}
export function noop(address: string): ResultResource {
  return { address, type: address.split(".")[0] ?? "x", action: "no-op", changedAttributes: [] };
}

/** +1 ~2 -0 */
export const CHANGES: ResultResource[] = [
  create("aws_db_parameter_group.main"),
  update("aws_db_instance.main"),
  update("aws_db_instance.replica"),
];

export function planResult(
  job: StackJob,
  resources: ResultResource[] = CHANGES,
  extra: Partial<ResultJson> = {},
): ResultJson {
  return {
    version: 1,
    jobId: job.id,
    stack: job.stack,
    operation: "plan",
    sha: job.sha,
    outcome: "success",
    summary: countSummary(resources),
    resources,
    text: "a readable plan",
    ...extra,
  };
}

/** Applies an event and insists it was accepted. */
export function step(job: StackJob, event: JobEvent, at: Date): Transition {
  const tr = transition(job, event, at);
  expect(tr.accepted, `${event.type} should be accepted: ${tr.note}`).toBe(true);
  return tr;
}

/** Applies an event and insists it was refused, leaving the job as it was. */
export function refused(job: StackJob, event: JobEvent, at: Date, why: RegExp): Transition {
  const before = structuredClone(job);
  const tr = transition(job, event, at);
  expect(tr.accepted, `${event.type} should be refused`).toBe(false);
  expect(tr.note).toMatch(why);
  expect(tr.job).toEqual(before);
  expect(tr.effects).toEqual([]);
  return tr;
}

/** Applies events in order, each at its own minute, insisting each is accepted. */
export function drive(job: StackJob, events: [JobEvent, number][]): StackJob {
  let current = job;
  for (const [event, minute] of events) current = step(current, event, t(minute)).job;
  return current;
}

/** A queued apply job driven to `awaiting_approval` with a plan made by run 101 at minute 10. */
export function awaitingApproval(overrides: Partial<NewJobInput> = {}): StackJob {
  const job = makeJob(overrides);
  return drive(job, [
    [{ type: "ready", lockToken: 5 }, 1],
    [
      {
        type: "dispatched",
        operation: "plan",
        runId: 101,
        htmlUrl: "https://github.com/acme/infra/actions/runs/101",
      },
      2,
    ],
    [{ type: "run-completed", runId: 101, conclusion: "success", result: planResult(job) }, 10],
  ]);
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
