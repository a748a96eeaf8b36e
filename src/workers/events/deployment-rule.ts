import type { GitHubPort } from "../../github/port.js";
import type { Runtime } from "../../runtime/runtime.js";
import type { FlowgateEvent } from "../../webhooks/events.js";
import { RUN_NAME } from "../jobs/run-update.js";

type DeploymentRuleEvent = Extract<FlowgateEvent, { type: "deployment-rule" }>;

/**
 * flowgate as a custom deployment protection rule (SPEC §5.1): it approves only runs it dispatched,
 * for a job that may run now, so nobody can apply by dispatching the workflow by hand.
 */
export async function handleDeploymentRule(rt: Runtime, event: DeploymentRuleEvent): Promise<void> {
  if (!event.runId) return;
  const port = rt.github(event.repo);
  const jobId = await rt.jobs.byRun(event.runId);
  if (!jobId) await notBeforeOurDispatchIsRecorded(port, rt, event.runId);
  const job = jobId ? await rt.jobs.get(jobId) : undefined;
  const run = job?.runs.find((r) => r.runId === event.runId);
  const atItsStep =
    job !== undefined &&
    run !== undefined &&
    ((run.operation === "plan" && (job.status === "planning" || job.kind === "plan")) ||
      (run.operation === "apply" && job.status === "applying"));
  // Only the first attempt is the run flowgate dispatched: a re-run is someone else's new deployment.
  const attempt = atItsStep ? (await port.getRun(event.runId)).attempt : undefined;
  const allowed = atItsStep && attempt === 1;
  const comment = allowed
    ? `flowgate dispatched this ${run!.operation} for job ${job!.id} (${job!.stack})`
    : atItsStep
      ? `attempt ${attempt} is a re-run: flowgate approves only the first attempt of a run it dispatched; use /retry on the PR for a new run`
      : jobId
        ? `job ${jobId} is not at a step that runs in this environment`
        : "this run was not dispatched by flowgate for an approved job";
  await port.reviewDeployment(event.runId, event.environment, allowed ? "approved" : "rejected", comment);
  await rt.audit.record({
    type: "dispatch",
    repo: `${event.repo.owner}/${event.repo.repo}`,
    ...(jobId ? { jobId } : {}),
    decision: allowed ? "deployment approved" : "deployment rejected",
    reason: comment,
  });
}

/**
 * GitHub may ask before flowgate has stored the run id its dispatch returned. If the run's name says it
 * is ours and that job's dispatch is still in flight, answer later (the event is retried) rather than
 * reject a run flowgate itself started.
 */
async function notBeforeOurDispatchIsRecorded(port: GitHubPort, rt: Runtime, runId: number): Promise<void> {
  const run = await port.getRun(runId);
  const named = RUN_NAME.exec(run.displayTitle)?.[1];
  const job = named ? await rt.jobs.get(named) : undefined;
  if (job?.runs.some((r) => r.runId === undefined && r.status === "dispatching")) {
    throw new Error(
      `run ${runId} is named for job ${named}, whose dispatch is not recorded yet: answering later`,
    );
  }
}
