/**
 * A stack job in two short phrases for checks and the sticky comment (SPEC §3 step 6, §4): where it is,
 * and the next step a person can take (or that none is needed).
 */
import { formatSummary } from "../../plan/result.js";
import type { JobRun, StackJob } from "./types.js";

export function describeJob(job: StackJob): { state: string; nextStep: string } {
  return { state: stateOf(job), nextStep: nextStepOf(job) };
}

function stateOf(job: StackJob): string {
  const plan = job.plan !== undefined ? `plan ${formatSummary(job.plan.summary)}` : undefined;
  switch (job.status) {
    case "pending":
      return "pending until started (disableOnLifecycleEvents)";
    case "awaiting_start":
      return "waiting for a manual start (isManual)";
    case "queued":
      return job.kind === "plan" ? "queued" : "queued (waiting for dependencies, gates and the stack lock)";
    case "planning":
      return `planning${runDetail(job)}`;
    case "awaiting_approval":
      return `waiting for approval (${plan ?? "no plan"})`;
    case "applying":
      return `applying${plan !== undefined ? ` (${plan})` : " (no separate plan)"}${runDetail(job)}`;
    case "succeeded":
      if (job.kind === "plan") return `planned (${plan ?? "no plan"})`;
      return job.runs.some((r) => r.operation === "apply")
        ? `applied${plan !== undefined ? ` (${plan})` : ""}`
        : "succeeded: the plan has no changes";
    case "failed":
      return "failed";
    case "cancelled":
      return "cancelled";
    case "superseded":
      return "superseded";
    case "timed_out":
      return "timed out";
  }
}

function nextStepOf(job: StackJob): string {
  const onPr = job.kind === "plan" ? "on the PR" : "on the merged PR";
  switch (job.status) {
    case "pending": {
      const cli = `flowgate apply --env ${job.environment} --all-pending`;
      return job.prNumber !== undefined
        ? `an eligible approver comments /apply ${job.stack} on the merged PR, or someone runs ${cli}`
        : `someone runs ${cli}`;
    }
    case "awaiting_start":
      return job.prNumber !== undefined
        ? `an eligible approver comments /apply ${job.stack} on the merged PR`
        : `an eligible approver starts it with /apply ${job.stack}`;
    case "queued":
      return job.kind === "plan"
        ? "none: the plan starts by itself"
        : "none: it starts by itself once its dependencies succeed, its gates open and the stack is free";
    case "planning":
    case "applying": {
      const run = job.runs.at(-1);
      if (run?.status === "waiting") {
        return `a required reviewer of the GitHub environment approves the workflow run${url(run)}`;
      }
      return `none: wait for the ${job.status === "planning" ? "plan" : "apply"} run${url(run)}`;
    }
    case "awaiting_approval":
      return job.prNumber !== undefined
        ? `an eligible approver comments /approve ${job.stack} on the merged PR`
        : `an eligible approver clicks Approve on the check run flowgate/apply: ${job.stack}`;
    case "failed":
    case "timed_out":
    case "cancelled":
      return job.prNumber !== undefined
        ? `comment /retry ${job.stack} ${onPr} to run it again`
        : "push a fix to the default branch: a new commit gets a new job";
    case "succeeded":
      return "none";
    case "superseded":
      return `none: a job for a newer commit takes over ${job.stack}`;
  }
}

function runDetail(job: StackJob): string {
  const run = job.runs.at(-1);
  if (run === undefined) return "";
  switch (run.status) {
    case "dispatching":
      return ": starting the workflow";
    case "waiting":
      return ": waiting for the environment's reviewers";
    case "dispatched":
    case "running":
      return run.runId !== undefined ? `: run ${run.runId}` : "";
    case "completed":
      return "";
  }
}

function url(run: JobRun | undefined): string {
  return run?.htmlUrl !== undefined ? ` (${run.htmlUrl})` : "";
}
