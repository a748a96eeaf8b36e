/** The small steps every transition is made of: a draft of the next job, and how it moves. */
import type { JobEffect, JobEvent, JobRun, JobStatus, Operation, StackJob, Transition } from "./types.js";

/** How many history entries a job keeps: enough to explain it, bounded so a looping job cannot grow. */
export const HISTORY_LIMIT = 50;

const IN_PROGRESS: ReadonlySet<JobRun["status"]> = new Set([
  "dispatching",
  "dispatched",
  "running",
  "waiting",
]);

/** SPEC §5: exactly these seven string inputs, nothing else. */
export function dispatchInputs(job: StackJob, operation: Operation): Record<string, string> {
  const savedPlan = operation === "apply" && job.plan !== undefined ? String(job.plan.runId) : "";
  return {
    job_id: job.id,
    stack: job.stack,
    operation,
    sha: job.sha,
    path: job.path,
    refresh: job.controls.skipRefresh ? "false" : "true",
    plan_run_id: savedPlan,
  };
}

/** The job being built by one transition, with the effects it collects. */
export interface Draft {
  job: StackJob;
  effects: JobEffect[];
  now: Date;
}

export function draft(job: StackJob, now: Date): Draft {
  // structuredClone copies frozen input into plain objects, so the draft can be changed freely.
  return { job: structuredClone(job), effects: [], now };
}

export function accept(d: Draft): Transition {
  return { job: d.job, effects: d.effects, accepted: true, note: d.job.reason };
}

export function refuse(job: StackJob, note: string): Transition {
  return { job, effects: [], accepted: false, note };
}

/**
 * An ended job accepts nothing but, when a run was still being dispatched as it ended, the run's id
 * arriving late is answered with a cancel so that run does not go on by itself.
 */
export function refuseEnded(job: StackJob, event: JobEvent): Transition {
  const ended = `${event.type}: the job already ended (${words(job.status)})`;
  if (event.type === "dispatched" && event.runId !== undefined) {
    const last = lastRunOf(job, event.operation);
    if (last !== undefined && last.runId === undefined && last.conclusion !== "dispatch_failed") {
      return {
        job,
        effects: [{ type: "cancel-run", runId: event.runId }],
        accepted: false,
        note: `${ended}; cancelling run ${event.runId}, which was dispatched for it`,
      };
    }
  }
  return refuse(job, ended);
}

/** Changes the status, says why, and records it in the history. */
export function moveTo(d: Draft, status: JobStatus, reason: string): void {
  const at = d.now.toISOString();
  d.job.status = status;
  d.job.reason = reason;
  d.job.updatedAt = at;
  // The step the deadline guarded is over; the next step sets its own.
  delete d.job.deadline;
  d.job.history.push({ at, status, note: reason });
  if (d.job.history.length > HISTORY_LIMIT) d.job.history.splice(0, d.job.history.length - HISTORY_LIMIT);
}

/** A new reason without a change of status. */
export function note(d: Draft, reason: string): void {
  d.job.reason = reason;
  d.job.updatedAt = d.now.toISOString();
}

export function setDeadline(d: Draft, ms: number): void {
  const at = new Date(d.now.getTime() + ms).toISOString();
  d.job.deadline = at;
  d.effects.push({ type: "schedule-deadline", at });
}

/** Decides to run a workflow: the run is recorded as `dispatching` before GitHub is asked. */
export function startRun(d: Draft, operation: Operation, reason: string): void {
  moveTo(d, operation === "plan" ? "planning" : "applying", reason);
  d.job.runs.push({ operation, status: "dispatching", requestedAt: d.now.toISOString() });
  d.effects.push({ type: "dispatch", operation, inputs: dispatchInputs(d.job, operation) });
  setDeadline(d, operation === "plan" ? d.job.timeouts.planMs : d.job.timeouts.applyMs);
}

/** Ends the job: stops its run, frees the stack, and lets the jobs that wait on it decide. */
export function end(d: Draft, status: JobStatus, reason: string): void {
  for (const run of d.job.runs) {
    if (!IN_PROGRESS.has(run.status)) continue;
    if (run.runId !== undefined) d.effects.push({ type: "cancel-run", runId: run.runId });
    closeRun(run, status === "timed_out" ? "timed_out" : "cancelled", d.now);
  }
  moveTo(d, status, reason);
  if (d.job.lockToken !== undefined) {
    d.effects.push({ type: "release-lock" });
    delete d.job.lockToken;
  }
  if (d.job.kind === "apply") d.effects.push({ type: "wake-dependents" });
}

export function closeRun(run: JobRun, conclusion: string, now: Date): void {
  run.status = "completed";
  run.conclusion = conclusion;
  run.completedAt = now.toISOString();
}

export function dropPlan(job: StackJob): void {
  delete job.plan;
  delete job.approval;
}

/** An apply run reached GitHub after the current plan was made. */
export function applyRanFrom(job: StackJob): boolean {
  const made = job.plan !== undefined ? Date.parse(job.plan.finishedAt) : Number.NaN;
  return job.runs.some(
    (r) => r.operation === "apply" && r.runId !== undefined && Date.parse(r.requestedAt) >= made,
  );
}

export function lastRunOf(job: StackJob, operation: Operation): JobRun | undefined {
  return job.runs.findLast((r) => r.operation === operation);
}

/** The run a `dispatched` / `dispatch-failed` event is about (the latest, with no id yet), or why there is none. */
export function dispatchingRun(job: StackJob, operation: Operation): { index: number; run: JobRun } | string {
  const expected: JobStatus = operation === "plan" ? "planning" : "applying";
  if (job.status !== expected)
    return `the job is ${words(job.status)}; no ${operation} run is being dispatched`;
  const index = job.runs.length - 1;
  const run = job.runs[index];
  if (run === undefined || run.operation !== operation || run.status === "completed") {
    return `no ${operation} run is being dispatched`;
  }
  if (run.runId !== undefined) return `the ${operation} run already has id ${run.runId}`;
  return { index, run };
}

/** The index of the job's current run when it is the one named; otherwise why the event is refused. */
export function currentRun(job: StackJob, runId: number): number | string {
  if (job.status !== "planning" && job.status !== "applying") {
    return `the job is ${words(job.status)}, with no run in progress`;
  }
  const index = job.runs.length - 1;
  const run = job.runs[index];
  if (run === undefined || run.status === "completed") return "the job has no run in progress";
  if (run.runId !== runId) {
    const known = run.runId !== undefined ? `run ${run.runId}` : "a run whose id is not known yet";
    return `run ${runId} is not the job's current run (${known}); results from runs flowgate did not dispatch for this job are not accepted`;
  }
  return index;
}

export function phase(status: JobStatus): string {
  return status === "applying" ? "applying" : "planning";
}

export function words(status: JobStatus): string {
  return status.replaceAll("_", " ");
}

export function people(logins: readonly string[]): string {
  return logins.map((l) => `@${l}`).join(", ");
}
