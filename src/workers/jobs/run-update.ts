import type { JobEvent, StackJob } from "../../engine/stack-job/types.js";
import { appBotLogin } from "../../model/bots.js";
import type { Runtime } from "../../runtime/runtime.js";
import type { FlowgateEvent } from "../../webhooks/events.js";
import { requestPullEvaluation } from "../request.js";
import { applyJobEvent } from "./driver.js";
import { readResultArtifact } from "./result-artifact.js";

type RunEvent = Extract<FlowgateEvent, { type: "run" }>;

/** The run name flowgate gives every run it dispatches (`run-name: flowgate <job id>`). */
export const RUN_NAME = /^flowgate ([A-Za-z0-9._-]+)$/;

export function planTextId(job: StackJob, operation: "plan" | "apply"): string {
  return operation === "plan" ? job.id : `${job.id}.apply`;
}

/**
 * A `workflow_run` event (SPEC §5): accepted only for a run flowgate dispatched for that job, on its
 * first attempt, and only with a result whose jobId and sha match; then the job moves on.
 */
export async function handleRunEvent(rt: Runtime, event: RunEvent): Promise<void> {
  const { run, repo } = event;
  if (run.event !== "workflow_dispatch") return;
  const jobId = (await rt.jobs.byRun(run.id)) ?? RUN_NAME.exec(run.displayTitle)?.[1];
  if (!jobId) return;
  let job = await rt.jobs.get(jobId);
  if (!job || job.owner !== repo.owner || job.repo !== repo.repo) return;
  const log = rt.log.child({ jobId, runId: run.id });
  if (run.attempt !== 1) {
    log.info("ignoring a re-run attempt: flowgate accepts only the first attempt of a run it dispatched");
    return;
  }

  let ours = job.runs.find((r) => r.runId === run.id);
  if (!ours) {
    // The dispatch returned no run id: accept the run only if the app started it and a dispatch is outstanding.
    const pending = job.runs.find(
      (r) => r.runId === undefined && r.status === "dispatching" && r.attemptedAt,
    );
    if (!pending || run.actor !== appBotLogin(rt.appSlug)) {
      log.warn({ actor: run.actor }, "ignoring a run flowgate did not dispatch for this job");
      return;
    }
    const applied = await applyJobEvent(rt, jobId, {
      type: "dispatched",
      operation: pending.operation,
      runId: run.id,
      htmlUrl: run.htmlUrl,
    });
    job = applied?.job ?? job;
    ours = job.runs.find((r) => r.runId === run.id);
    if (!ours) return;
  }

  let jobEvent: JobEvent;
  if (event.action === "completed" || run.status === "completed") {
    const conclusion = run.conclusion ?? "failure";
    const port = rt.github(repo);
    let result: JobEvent & { type: "run-completed" } = {
      type: "run-completed",
      runId: run.id,
      conclusion,
      htmlUrl: run.htmlUrl,
    };
    if (conclusion === "success" || conclusion === "failure") {
      const artifact = await readResultArtifact(port, run.id);
      if (artifact.ok) {
        const r = artifact.result;
        if (r.jobId !== job.id)
          result = { ...result, resultError: `result.json is for job ${r.jobId}, not ${job.id}` };
        else if (r.sha !== job.sha)
          result = {
            ...result,
            resultError: `result.json is for commit ${r.sha.slice(0, 7)}, the job planned ${job.sha.slice(0, 7)}`,
          };
        else if (r.operation !== ours.operation)
          result = {
            ...result,
            resultError: `result.json reports a ${r.operation}, the run was a ${ours.operation}`,
          };
        else {
          result = { ...result, result: r };
          await rt.jobs.setText(planTextId(job, ours.operation), r.text);
          if (job.kind === "apply" && ours.operation === "plan" && conclusion === "success") {
            const pause = await rt.wiring.pauseAfterPlan(rt, job, r);
            if (pause !== undefined) result = { ...result, pauseAfterPlan: pause };
          }
        }
      } else if (conclusion === "success") {
        result = { ...result, resultError: artifact.error };
      }
    }
    jobEvent = result;
    await rt.audit.record({
      type: "result",
      repo: `${repo.owner}/${repo.repo}`,
      ...(job.prNumber ? { pr: job.prNumber } : {}),
      stack: job.stack,
      jobId,
      decision: conclusion,
      reason:
        result.resultError ?? (result.result ? `outcome ${result.result.outcome}` : `run ${conclusion}`),
    });
  } else {
    let waiting = run.status === "waiting";
    // Into or out of waiting for reviewers is what a person sees; GitHub does not deliver a run's events
    // in order, so the run's status as it is now decides, not the event's.
    if (waiting || ours.status === "waiting") {
      const now = await rt.github(repo).getRun(run.id);
      if (now.status === "completed") return; // its `completed` event carries the result
      waiting = now.status === "waiting";
    }
    jobEvent = {
      type: "run-status",
      runId: run.id,
      status: waiting ? "waiting" : "running",
      htmlUrl: run.htmlUrl,
    };
  }
  const wasWaiting = ours.status === "waiting";
  const applied = await applyJobEvent(rt, jobId, jobEvent);
  if (applied && !applied.accepted) log.info({ note: applied.note }, "run event did not apply");
  // A run starting changes nothing a reviewer acts on; a finished run or one waiting for an
  // environment's reviewers does (SPEC §5). Skipping the rest keeps writes per event at the floor.
  const matters =
    jobEvent.type === "run-completed" ||
    wasWaiting ||
    (jobEvent.type === "run-status" && jobEvent.status === "waiting");
  if (job.kind === "plan" && job.prNumber && matters) {
    await requestPullEvaluation(rt, repo, job.prNumber, `run ${run.id} ${event.action}`);
  }
}
