/**
 * The stack-job state machine (SPEC §1, §4, §5) as one pure function: a job and an event in, the next
 * job, the effects the I/O layer must carry out and a note out. Events that do not apply in the job's
 * status are refused (accepted: false) with a note saying why; the input job is never changed.
 */

import { formatDuration } from "../../lang/time/duration.js";
import { errorSummary } from "../../plan/error-text.js";
import { planFingerprint } from "../../plan/fingerprint.js";
import { formatSummary, type ResultJson } from "../../plan/result.js";
import { queuedReason } from "./create.js";
import {
  accept,
  applyRanFrom,
  closeRun,
  currentRun,
  type Draft,
  dispatchInputs,
  dispatchingRun,
  draft,
  dropPlan,
  end,
  HISTORY_LIMIT,
  moveTo,
  note,
  people,
  phase,
  refuse,
  refuseEnded,
  setDeadline,
  startRun,
  words,
} from "./draft.js";

export { dispatchInputs, HISTORY_LIMIT };

import {
  type JobEvent,
  type JobStatus,
  type Operation,
  type PlanOutcome,
  type StackJob,
  TERMINAL_STATUSES,
  type Transition,
} from "./types.js";

const NOT_STARTED: ReadonlySet<JobStatus> = new Set(["pending", "awaiting_start", "queued"]);
const SUPERSEDABLE: ReadonlySet<JobStatus> = new Set([
  "pending",
  "awaiting_start",
  "queued",
  "planning",
  "awaiting_approval",
]);
const RETRYABLE: ReadonlySet<JobStatus> = new Set(["failed", "timed_out", "cancelled"]);
/** Resource actions that leave the infrastructure as it is: a plan of only these has nothing to apply. */
const NO_CHANGE_ACTIONS: ReadonlySet<string> = new Set(["read", "no-op"]);

export function isTerminal(job: StackJob): boolean {
  return TERMINAL_STATUSES.has(job.status);
}

/** A plan exists for the job's commit (a job has only one) and finished within `planMaxAge`. */
export function planIsFresh(job: StackJob, now: Date): boolean {
  if (job.plan === undefined) return false;
  const finished = Date.parse(job.plan.finishedAt);
  if (Number.isNaN(finished)) return false;
  return now.getTime() - finished <= job.timeouts.planMaxAgeMs;
}

export function transition(job: StackJob, event: JobEvent, now: Date): Transition {
  if (isTerminal(job) && event.type !== "retry") return refuseEnded(job, event);
  switch (event.type) {
    case "start":
      return onStart(job, event, now);
    case "ready":
      return onReady(job, event, now);
    case "dispatched":
      return onDispatched(job, event, now);
    case "dispatch-failed":
      return onDispatchFailed(job, event, now);
    case "run-status":
      return onRunStatus(job, event, now);
    case "run-completed":
      return onRunCompleted(job, event, now);
    case "approved":
      return onApproved(job, event, now);
    case "recontrol":
      return onRecontrol(job, event, now);
    case "cancel":
      return onCancel(job, event, now);
    case "supersede":
      return onSupersede(job, event, now);
    case "dependency-failed":
      return onDependencyFailed(job, event, now);
    case "timeout":
      return onTimeout(job, now);
    case "retry":
      return onRetry(job, event, now);
  }
}

// ---------------------------------------------------------------------------------------------- events

function onStart(job: StackJob, event: Extract<JobEvent, { type: "start" }>, now: Date): Transition {
  if (job.status !== "pending" && job.status !== "awaiting_start") {
    return refuse(job, `start: the job is ${words(job.status)}, not pending or waiting for a start`);
  }
  const d = draft(job, now);
  d.job.startedBy = event.by;
  moveTo(d, "queued", `started by @${event.by.login}; ${queuedReason(job)}`);
  return accept(d);
}

/**
 * The policy resolved again just before a queued apply job is dispatched (SPEC §2.2: schedules decide
 * when it is dispatched). A job nobody started by hand goes back to waiting when the controls that
 * hold jobs now hold; otherwise the controls that shape the run (refresh, plan, pause) are updated.
 */
function onRecontrol(job: StackJob, event: Extract<JobEvent, { type: "recontrol" }>, now: Date): Transition {
  if (job.status !== "queued") return refuse(job, `recontrol: the job is ${words(job.status)}, not queued`);
  if (job.kind !== "apply") return refuse(job, "recontrol: only apply jobs follow schedules at dispatch");
  if (JSON.stringify(job.controls) === JSON.stringify(event.controls)) {
    return refuse(job, "recontrol: the controls did not change");
  }
  const d = draft(job, now);
  d.job.controls = { ...event.controls };
  if (job.startedBy === undefined && event.controls.disableOnLifecycleEvents) {
    moveTo(
      d,
      "pending",
      `${event.reason}: disableOnLifecycleEvents now holds; pending until /apply or flowgate apply --all-pending`,
    );
  } else if (job.startedBy === undefined && event.controls.isManual) {
    moveTo(
      d,
      "awaiting_start",
      `${event.reason}: isManual now holds; waiting for /apply from an eligible approver`,
    );
  } else {
    note(
      d,
      `${event.reason}: the policy now says ${event.controls.previewBeforeUpdateOrDestroy ? "plan first" : "apply directly"}${event.controls.pauseBetweenPreviewAndUpdateOrDestroy ? ", then wait for approval" : ""}`,
    );
  }
  return accept(d);
}

function onReady(job: StackJob, event: Extract<JobEvent, { type: "ready" }>, now: Date): Transition {
  if (job.status !== "queued") return refuse(job, `ready: the job is ${words(job.status)}, not queued`);
  if (job.kind === "apply" && event.lockToken === undefined) {
    return refuse(
      job,
      "ready: an apply job starts only while it holds the stack lock, and no lock token came",
    );
  }
  const d = draft(job, now);
  if (job.kind === "plan") {
    startRun(d, "plan", "planning");
    return accept(d);
  }
  d.job.lockToken = event.lockToken;
  if (d.job.plan !== undefined && !planIsFresh(d.job, now)) dropPlan(d.job);
  if (d.job.plan !== undefined) {
    proceedWithPlan(d);
  } else if (d.job.controls.previewBeforeUpdateOrDestroy || d.job.forcePause !== undefined) {
    // An approval needs a plan to approve: forcePause plans first even without previewBeforeUpdateOrDestroy.
    startRun(d, "plan", "planning before apply");
  } else {
    startRun(d, "apply", "applying without a separate plan (previewBeforeUpdateOrDestroy is off)");
  }
  return accept(d);
}

function onDispatched(
  job: StackJob,
  event: Extract<JobEvent, { type: "dispatched" }>,
  now: Date,
): Transition {
  const run = dispatchingRun(job, event.operation);
  if (typeof run === "string") return refuse(job, `dispatched: ${run}`);
  if (event.runId === undefined && run.run.status !== "dispatching") {
    return refuse(job, `dispatched: the ${event.operation} run was already recorded as dispatched`);
  }
  const d = draft(job, now);
  const target = d.job.runs[run.index]!;
  if (event.runId !== undefined) target.runId = event.runId;
  if (event.htmlUrl !== undefined) target.htmlUrl = event.htmlUrl;
  if (target.status === "dispatching") target.status = "dispatched";
  const which = event.runId !== undefined ? `run ${event.runId}` : "a run";
  note(d, `${phase(job.status)}: the ${event.operation} workflow started ${which}`);
  return accept(d);
}

function onDispatchFailed(
  job: StackJob,
  event: Extract<JobEvent, { type: "dispatch-failed" }>,
  now: Date,
): Transition {
  const run = dispatchingRun(job, event.operation);
  if (typeof run === "string") return refuse(job, `dispatch-failed: ${run}`);
  if (run.run.status !== "dispatching") {
    return refuse(job, `dispatch-failed: GitHub already accepted the ${event.operation} dispatch`);
  }
  const d = draft(job, now);
  closeRun(d.job.runs[run.index]!, "dispatch_failed", now);
  end(d, "failed", `could not dispatch the ${event.operation} workflow ${job.workflow}: ${event.message}`);
  return accept(d);
}

function onRunStatus(job: StackJob, event: Extract<JobEvent, { type: "run-status" }>, now: Date): Transition {
  const current = currentRun(job, event.runId);
  if (typeof current === "string") return refuse(job, `run-status: ${current}`);
  const d = draft(job, now);
  const run = d.job.runs[current]!;
  run.status = event.status;
  if (event.htmlUrl !== undefined) run.htmlUrl = event.htmlUrl;
  note(
    d,
    event.status === "waiting"
      ? `${phase(job.status)}: waiting for the environment's reviewers`
      : `${phase(job.status)}: run ${event.runId} is running`,
  );
  return accept(d);
}

function onRunCompleted(
  job: StackJob,
  event: Extract<JobEvent, { type: "run-completed" }>,
  now: Date,
): Transition {
  const current = currentRun(job, event.runId);
  if (typeof current === "string") return refuse(job, `run-completed: ${current}`);
  const d = draft(job, now);
  const run = d.job.runs[current]!;
  if (event.htmlUrl !== undefined) run.htmlUrl = event.htmlUrl;
  closeRun(run, event.conclusion, now);
  const link = ` (${run.htmlUrl ?? `run ${event.runId}`})`;
  const op = run.operation;

  if (event.conclusion === "cancelled") {
    end(d, "cancelled", `the ${op} run was cancelled${link}`);
  } else if (event.conclusion === "timed_out") {
    end(d, "timed_out", `the ${op} run timed out on GitHub${link}`);
  } else if (event.conclusion !== "success") {
    const how = event.conclusion === "failure" ? "failed" : `ended with conclusion "${event.conclusion}"`;
    end(d, "failed", `the ${op} run ${how}${link}${reportedError(d.job, event, op)}`);
  } else if (op === "plan") {
    onPlanSucceeded(d, event, link);
  } else {
    onApplySucceeded(d, event, link);
  }
  return accept(d);
}

function onPlanSucceeded(d: Draft, event: Extract<JobEvent, { type: "run-completed" }>, link: string): void {
  const result = checkedResult(d.job, event, "plan");
  if (typeof result === "string") {
    end(d, "failed", `the run succeeded but left no valid flowgate-result artifact: ${result}${link}`);
    return;
  }
  if (result.outcome === "failure") {
    end(d, "failed", `the plan reported failure${link}${reportedError(d.job, event, "plan")}`);
    return;
  }
  const plan: PlanOutcome = {
    runId: event.runId,
    finishedAt: d.now.toISOString(),
    summary: { ...result.summary },
    resources: structuredClone(result.resources),
    fingerprint: planFingerprint(result.resources),
  };
  if (result.estimatedCost !== undefined) plan.estimatedCost = result.estimatedCost;
  // A new plan replaces the old one, and an approval given for the old one does not cover it.
  dropPlan(d.job);
  d.job.plan = plan;
  if (d.job.kind === "plan") {
    end(d, "succeeded", `plan succeeded (${formatSummary(plan.summary)})`);
    return;
  }
  if (event.pauseAfterPlan !== undefined)
    d.job.controls.pauseBetweenPreviewAndUpdateOrDestroy = event.pauseAfterPlan;
  proceedWithPlan(d);
}

function onApplySucceeded(d: Draft, event: Extract<JobEvent, { type: "run-completed" }>, link: string): void {
  // The run's conclusion is what counts; a readable result that says it failed is believed over it.
  const result = checkedResult(d.job, event, "apply");
  if (typeof result !== "string" && result.outcome === "failure") {
    end(d, "failed", `the apply reported failure${link}${reportedError(d.job, event, "apply")}`);
    return;
  }
  const summary = d.job.plan !== undefined ? ` (${formatSummary(d.job.plan.summary)})` : "";
  end(d, "succeeded", `applied${summary}`);
}

function onApproved(job: StackJob, event: Extract<JobEvent, { type: "approved" }>, now: Date): Transition {
  if (job.status !== "awaiting_approval") {
    return refuse(job, `approved: the job is ${words(job.status)}, not waiting for approval`);
  }
  const approvers = [...new Set(event.approvers)];
  if (approvers.length === 0) return refuse(job, "approved: an approval must name at least one approver");
  // SPEC §2.3: after a policy change only a new approval on this job counts, never one carried over.
  if (event.carriedOver && job.forcePause !== undefined) {
    return refuse(
      job,
      "approved: the policy changed, so an approval carried over from the PR does not count",
    );
  }
  const d = draft(job, now);
  const who = people(approvers);
  if (!planIsFresh(job, now)) {
    dropPlan(d.job);
    startRun(
      d,
      "plan",
      `the plan was older than ${formatDuration(job.timeouts.planMaxAgeMs)} when ${who} approved; planning again`,
    );
    return accept(d);
  }
  d.job.approval = { approvers, at: now.toISOString(), carriedOver: event.carriedOver };
  startRun(d, "apply", `approved by ${who}; applying the saved plan`);
  return accept(d);
}

function onCancel(job: StackJob, event: Extract<JobEvent, { type: "cancel" }>, now: Date): Transition {
  const d = draft(job, now);
  const why = event.reason !== undefined && event.reason.trim() !== "" ? `: ${event.reason.trim()}` : "";
  end(d, "cancelled", `cancelled by ${event.by}${why}`);
  return accept(d);
}

function onSupersede(job: StackJob, event: Extract<JobEvent, { type: "supersede" }>, now: Date): Transition {
  if (job.status === "applying") {
    return refuse(job, "supersede: the job is applying, and an apply that has started is never superseded");
  }
  if (!SUPERSEDABLE.has(job.status)) return refuse(job, `supersede: the job is ${words(job.status)}`);
  if (event.byJob === job.id) return refuse(job, "supersede: a job cannot supersede itself");
  const d = draft(job, now);
  end(d, "superseded", `superseded by job ${event.byJob} at sha ${event.sha.slice(0, 7)}`);
  return accept(d);
}

function onDependencyFailed(
  job: StackJob,
  event: Extract<JobEvent, { type: "dependency-failed" }>,
  now: Date,
): Transition {
  if (!NOT_STARTED.has(job.status)) {
    return refuse(
      job,
      `dependency-failed: the job is ${words(job.status)}; only a job that has not started stops`,
    );
  }
  if (!job.dependsOn.includes(event.dependency)) {
    return refuse(job, `dependency-failed: job ${event.dependency} is not one this job depends on`);
  }
  if (event.verification !== undefined && event.status === "succeeded") {
    const d = draft(job, now);
    end(
      d,
      "cancelled",
      `dependency ${event.stack} applied but failed its verification: ${event.verification}`,
    );
    return accept(d);
  }
  if (!TERMINAL_STATUSES.has(event.status) || event.status === "succeeded") {
    return refuse(
      job,
      `dependency-failed: dependency ${event.stack} is ${words(event.status)}, which is no failure`,
    );
  }
  const d = draft(job, now);
  end(d, "cancelled", `dependency ${event.stack} ended ${words(event.status)}`);
  return accept(d);
}

function onTimeout(job: StackJob, now: Date): Transition {
  if (job.deadline === undefined) return refuse(job, "timeout: the job has no deadline");
  const deadline = Date.parse(job.deadline);
  if (!Number.isNaN(deadline) && now.getTime() < deadline) {
    return refuse(job, `timeout: the deadline is ${job.deadline}; this timer is stale`);
  }
  const d = draft(job, now);
  end(d, "timed_out", timeoutReason(job));
  return accept(d);
}

function onRetry(job: StackJob, event: Extract<JobEvent, { type: "retry" }>, now: Date): Transition {
  if (!RETRYABLE.has(job.status)) {
    const why =
      job.status === "superseded"
        ? "a superseded job is never retried: a newer job takes its place"
        : `the job is ${words(job.status)}; only a failed, timed-out or cancelled job is retried`;
    return refuse(job, `retry: ${why}`);
  }
  const d = draft(job, now);
  // A saved plan that is too old, or that an apply already ran from (Terraform refuses a saved plan
  // once the state has changed), is planned again; the approval goes with the plan it approved.
  if (d.job.plan !== undefined && (!planIsFresh(d.job, now) || applyRanFrom(d.job))) dropPlan(d.job);
  delete d.job.lockToken;
  d.job.startedBy = event.by;
  moveTo(d, "queued", `retried by @${event.by.login}; ${queuedReason(job)}`);
  return accept(d);
}

// ------------------------------------------------------------------------------------------- the flow

/** With a (fresh) plan in hand: nothing to do, wait for approval, carry the PR's approval over, or apply. */
function proceedWithPlan(d: Draft): void {
  const job = d.job;
  const plan = job.plan!;
  const summary = formatSummary(plan.summary);
  if (!planHasChanges(plan)) {
    end(d, "succeeded", "plan has no changes: nothing to apply");
    return;
  }
  const pause = job.controls.pauseBetweenPreviewAndUpdateOrDestroy || job.forcePause !== undefined;
  if (!pause || job.approval !== undefined) {
    startRun(d, "apply", `applying the saved plan (${summary})`);
    return;
  }
  const carry = job.carryOver;
  if (
    carry !== undefined &&
    job.forcePause === undefined &&
    carry.approvers.length > 0 &&
    carry.fingerprint === plan.fingerprint
  ) {
    job.approval = { approvers: [...carry.approvers], at: d.now.toISOString(), carriedOver: true };
    startRun(
      d,
      "apply",
      `the approval given on the PR by ${people(carry.approvers)} carries over (same changes); applying the saved plan (${summary})`,
    );
    return;
  }
  moveTo(d, "awaiting_approval", `waiting for approval (plan ${summary}): ${whyNoCarryOver(job, plan)}`);
  setDeadline(d, job.timeouts.approvalMs);
}

function whyNoCarryOver(job: StackJob, plan: PlanOutcome): string {
  if (job.forcePause !== undefined) {
    const pr = job.carryOver !== undefined ? "; the approval given on the PR does not carry over" : "";
    return `${job.forcePause}${pr}`;
  }
  if (job.carryOver !== undefined && job.carryOver.fingerprint !== plan.fingerprint) {
    return "the plan differs from the one approved on the PR";
  }
  if (job.prNumber === undefined) return "the commit came without a PR, so no PR approval carries over";
  return "no approval given on the PR carries over";
}

function planHasChanges(plan: PlanOutcome): boolean {
  const s = plan.summary;
  if (s.add + s.change + s.destroy + s.replace > 0) return true;
  // Imports and forgets change the state without counting as add/change/destroy: they still need an apply.
  return plan.resources.some((r) => !NO_CHANGE_ACTIONS.has(r.action));
}

function timeoutReason(job: StackJob): string {
  switch (job.status) {
    case "planning":
      return `plan did not finish within ${formatDuration(job.timeouts.planMs)}`;
    case "applying":
      return `apply did not finish within ${formatDuration(job.timeouts.applyMs)}`;
    case "awaiting_approval":
      return `no approval within ${formatDuration(job.timeouts.approvalMs)}`;
    default:
      return `the job did not move on before its deadline ${job.deadline}`;
  }
}

/** `: <what went wrong>` from the run's own failure result, or nothing when it left none. */
function reportedError(
  job: StackJob,
  event: Extract<JobEvent, { type: "run-completed" }>,
  operation: Operation,
): string {
  const result = checkedResult(job, event, operation);
  if (typeof result === "string" || result.outcome !== "failure") return "";
  const summary = errorSummary(result.text);
  return summary === "" ? "" : `: ${summary}`;
}

/** A result the run left, checked against the job it must belong to; a string says what is wrong. */
function checkedResult(
  job: StackJob,
  event: Extract<JobEvent, { type: "run-completed" }>,
  operation: Operation,
): ResultJson | string {
  if (event.resultError !== undefined) return event.resultError;
  const result = event.result;
  if (result === undefined) return "the run uploaded no result";
  if (result.jobId !== job.id) return `the result is for job ${result.jobId}, not ${job.id}`;
  if (result.sha !== job.sha)
    return `the result is for commit ${result.sha.slice(0, 7)}, not ${job.sha.slice(0, 7)}`;
  if (result.operation !== operation) return `the result is for a ${result.operation}, not a ${operation}`;
  return result;
}
