import type { PlanSummary, ResultJson, ResultResource } from "../../plan/result.js";

/**
 * A stack job (SPEC §1): one operation for one stack at one commit, run as a GitHub Actions
 * workflow. `plan` jobs run on open PRs; `apply` jobs run after a merge or a push to the default
 * branch and may plan first. Persisted in Redis; mirrored in a check run (`external_id` = id) and in
 * its runs' run-name (`flowgate <id>`), so it can be rebuilt from GitHub.
 */
export type JobKind = "plan" | "apply";

export type JobStatus =
  /** disableOnLifecycleEvents: no job runs until `/apply` or `flowgate apply --env ENV --all-pending` */
  | "pending"
  /** isManual: waits for `/apply` by an eligible approver */
  | "awaiting_start"
  /** waits for its dependencies, gates and the stack lock */
  | "queued"
  | "planning"
  /** the plan is done; waits for approval (pauseBetweenPreviewAndUpdateOrDestroy) */
  | "awaiting_approval"
  | "applying"
  | "succeeded"
  | "failed"
  | "cancelled"
  | "superseded"
  | "timed_out";

export const TERMINAL_STATUSES: ReadonlySet<JobStatus> = new Set([
  "succeeded",
  "failed",
  "cancelled",
  "superseded",
  "timed_out",
]);

export type Operation = "plan" | "apply";

export interface JobRun {
  operation: Operation;
  /** `dispatching`: flowgate decided to dispatch and may or may not have reached GitHub yet */
  status: "dispatching" | "dispatched" | "running" | "waiting" | "completed";
  requestedAt: string;
  runId?: number;
  htmlUrl?: string;
  conclusion?: string;
  completedAt?: string;
  /** when flowgate last called GitHub's dispatch for this run; a re-dispatch first looks for a run (SPEC §5) */
  attemptedAt?: string;
  /** dispatch calls made for this run (more than one only when lookups found no run) */
  attempts?: number;
}

export interface PlanOutcome {
  runId: number;
  finishedAt: string;
  summary: PlanSummary;
  resources: ResultResource[];
  fingerprint: string;
  estimatedCost?: number;
}

export interface JobControls {
  isManual: boolean;
  disableOnLifecycleEvents: boolean;
  skipRefresh: boolean;
  previewBeforeUpdateOrDestroy: boolean;
  pauseBetweenPreviewAndUpdateOrDestroy: boolean;
}

export interface JobTimeouts {
  planMs: number;
  applyMs: number;
  approvalMs: number;
  planMaxAgeMs: number;
}

export interface Actor {
  login: string;
  type: "user" | "bot";
}

export interface StackJob {
  id: string;
  kind: JobKind;
  installationId: number;
  owner: string;
  repo: string;
  stack: string;
  environment: string;
  workflow: string;
  /** the workflow's `path` input */
  path: string;
  /** the commit to check out */
  sha: string;
  /** the PR being planned (plan jobs) or the merged PR (apply jobs); absent for direct pushes */
  prNumber?: number;
  controls: JobControls;
  policy: { name: string; file: string };
  timeouts: JobTimeouts;
  /** ids of apply jobs that must succeed first (dependsOn, SPEC §4) */
  dependsOn: string[];
  /** gates that hold this job (`blocks: [apply]`) */
  gates: string[];
  status: JobStatus;
  /** a sentence saying why the job is where it is, shown on checks and in the sticky comment */
  reason: string;
  createdAt: string;
  updatedAt: string;
  /** when the current step times out (plan, apply or approval limit) */
  deadline?: string;
  runs: JobRun[];
  plan?: PlanOutcome;
  /** the approval the PR gave, offered for carry-over when the new plan's fingerprint equals it */
  carryOver?: { fingerprint: string; approvers: string[] };
  approval?: { approvers: string[]; at: string; carriedOver: boolean };
  /** SPEC §2.3: the first apply after a policy change pauses for approval whatever the policy says */
  forcePause?: string;
  triggeredBy: Actor;
  /** who started the job by hand (`/apply`, the CLI, `/retry`): a schedule never holds it again */
  startedBy?: Actor;
  /** made while recovering from lost state: look for a run already started before the first dispatch */
  recovered?: boolean;
  /** the branch the workflow is dispatched on: the repository's default branch (SPEC §5) */
  dispatchRef?: string;
  /** the check run mirroring this job */
  checkRunId?: number;
  /** the stack lock's fencing token while this job holds it */
  lockToken?: number;
  history: { at: string; status: JobStatus; note: string }[];
}

/** What can happen to a job. The I/O layer turns webhooks, commands and timers into these. */
export type JobEvent =
  | { type: "start"; by: Actor }
  | { type: "ready"; lockToken?: number }
  | { type: "dispatched"; operation: Operation; runId?: number; htmlUrl?: string }
  | { type: "dispatch-failed"; operation: Operation; message: string }
  | { type: "run-status"; runId: number; status: "running" | "waiting"; htmlUrl?: string }
  | {
      type: "run-completed";
      runId: number;
      conclusion: string;
      htmlUrl?: string;
      result?: ResultJson;
      resultError?: string;
      /** an apply job's plan: the policy's pause decided again with it (SPEC §2.2 conditions); absent keeps the controls */
      pauseAfterPlan?: boolean;
    }
  | { type: "approved"; approvers: string[]; carriedOver: boolean }
  | { type: "cancel"; by: string; reason?: string }
  | { type: "supersede"; byJob: string; sha: string }
  | {
      type: "dependency-failed";
      dependency: string;
      stack: string;
      status: JobStatus;
      /** the dependency applied but its verification failed (issue 13): why */
      verification?: string;
    }
  | { type: "timeout" }
  | { type: "retry"; by: Actor }
  /** SPEC §2.2: schedules decide for an apply when it is dispatched; the policy resolved again then */
  | { type: "recontrol"; controls: JobControls; reason: string };

/** What the I/O layer must do after a transition. */
export type JobEffect =
  | { type: "dispatch"; operation: Operation; inputs: Record<string, string> }
  | { type: "release-lock" }
  | { type: "schedule-deadline"; at: string }
  | { type: "wake-dependents" }
  | { type: "cancel-run"; runId: number };

export interface Transition {
  job: StackJob;
  effects: JobEffect[];
  /** false when the event does not apply in this state (ignored, with `note` saying why) */
  accepted: boolean;
  note: string;
}
