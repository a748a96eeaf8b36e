/**
 * A new stack job (SPEC §1, §3 step 5, §4): the first status comes from the controls that act before
 * anything runs, `disableOnLifecycleEvents` first, then `isManual`.
 */
import type { JobKind, JobStatus, StackJob } from "./types.js";

/** What a caller decides about a new job; everything else (status, runs, history) starts empty. */
export type NewJobInput = Pick<
  StackJob,
  | "id"
  | "kind"
  | "installationId"
  | "owner"
  | "repo"
  | "stack"
  | "environment"
  | "workflow"
  | "path"
  | "sha"
  | "controls"
  | "policy"
  | "timeouts"
  | "dependsOn"
  | "gates"
  | "triggeredBy"
> &
  Partial<Pick<StackJob, "prNumber" | "carryOver" | "forcePause">>;

/** The status a job is born in and the sentence that explains it. */
function initialStatus(input: NewJobInput): { status: JobStatus; reason: string } {
  // A plan job exists only once something asked for a plan (an event or `/plan`): it just waits its turn.
  if (input.kind === "plan") return { status: "queued", reason: "queued: the plan starts shortly" };
  if (input.controls.disableOnLifecycleEvents) {
    return {
      status: "pending",
      reason:
        "pending: disableOnLifecycleEvents holds, so nothing runs until /apply " +
        `or flowgate apply --env ${input.environment} --all-pending`,
    };
  }
  if (input.controls.isManual) {
    return {
      status: "awaiting_start",
      reason: "waiting for a manual start: isManual holds, so an eligible approver must comment /apply",
    };
  }
  return { status: "queued", reason: queuedReason(input) };
}

/** What a queued apply job waits for, naming its dependencies and gates when it has any. */
export function queuedReason(job: {
  kind: JobKind;
  dependsOn: readonly string[];
  gates: readonly string[];
}): string {
  if (job.kind === "plan") return "queued: the plan starts shortly";
  const waits: string[] = [];
  if (job.dependsOn.length > 0) waits.push(`dependencies (${job.dependsOn.join(", ")})`);
  if (job.gates.length > 0) waits.push(`gates (${job.gates.join(", ")})`);
  waits.push("the stack lock");
  const last = waits.pop();
  const list = waits.length > 0 ? `${waits.join(", ")} and ${last}` : last;
  return `queued: waiting for ${list}`;
}

/** Builds a job in its first status. Copies every list so the caller's input is never shared. */
export function newJob(input: NewJobInput, now: Date): StackJob {
  const at = now.toISOString();
  const { status, reason } = initialStatus(input);
  const job: StackJob = {
    id: input.id,
    kind: input.kind,
    installationId: input.installationId,
    owner: input.owner,
    repo: input.repo,
    stack: input.stack,
    environment: input.environment,
    workflow: input.workflow,
    path: input.path,
    sha: input.sha,
    controls: { ...input.controls },
    policy: { ...input.policy },
    timeouts: { ...input.timeouts },
    dependsOn: [...input.dependsOn],
    gates: [...input.gates],
    status,
    reason,
    createdAt: at,
    updatedAt: at,
    runs: [],
    triggeredBy: { ...input.triggeredBy },
    history: [{ at, status, note: reason }],
  };
  if (input.prNumber !== undefined) job.prNumber = input.prNumber;
  // SPEC §4: a push that did not come through a PR gets no PR approval, whatever the caller passed.
  if (input.carryOver !== undefined && input.kind === "apply" && input.prNumber !== undefined) {
    job.carryOver = { fingerprint: input.carryOver.fingerprint, approvers: [...input.carryOver.approvers] };
  }
  if (input.forcePause !== undefined) job.forcePause = input.forcePause;
  return job;
}
