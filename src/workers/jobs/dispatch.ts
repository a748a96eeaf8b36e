import { repoIdOf } from "../../engine/stack-job/ids.js";
import { dispatchInputs } from "../../engine/stack-job/index.js";
import type { StackJob } from "../../engine/stack-job/types.js";
import { TERMINAL_STATUSES } from "../../engine/stack-job/types.js";
import { isPermanent, statusOf } from "../../github/errors.js";
import type { WorkflowRun } from "../../github/port.js";
import { safeId } from "../../queue/queues.js";
import type { Runtime } from "../../runtime/runtime.js";
import { applyJobEvent } from "./driver.js";
import { handleRunEvent } from "./run-update.js";

/** Thrown to let BullMQ retry the step later with backoff. */
export class RetryLater extends Error {}

/** How far back a rebuilt job looks for a run started before the state was lost. */
const RECOVERY_LOOKBACK_MS = 7 * 86_400_000;

async function adoptCompletedRun(rt: Runtime, job: StackJob, run: WorkflowRun): Promise<void> {
  const repoId = repoIdOf(job);
  await handleRunEvent(rt, {
    type: "run",
    repo: {
      installationId: job.installationId,
      owner: job.owner,
      repo: job.repo,
      repoId,
      defaultBranch: job.dispatchRef ?? "main",
      private: true,
    },
    action: "completed",
    run,
  });
}

function knownRunIds(job: StackJob): Set<number> {
  return new Set(job.runs.flatMap((r) => (r.runId ? [r.runId] : [])));
}

/**
 * Makes sure run `runIndex` of a job is dispatched exactly once (SPEC §5, §7). Before any second
 * dispatch it looks for a run already started for the job (by its run-name); a dispatch attempt is
 * claimed by compare-and-set, so two workers never both call GitHub for the same run.
 */
export async function ensureDispatched(rt: Runtime, jobId: string, runIndex: number): Promise<void> {
  const job = await rt.jobs.get(jobId);
  const run = job?.runs[runIndex];
  if (
    !job ||
    !run ||
    run.runId !== undefined ||
    run.status !== "dispatching" ||
    TERMINAL_STATUSES.has(job.status)
  )
    return;
  const port = rt.github({ installationId: job.installationId, owner: job.owner, repo: job.repo });
  const now = rt.clock.now();

  // Look before dispatching whenever GitHub may already have a run: after an attempt, or for a job
  // rebuilt after lost state (its run may have been dispatched before the loss).
  if (run.attemptedAt || job.recovered) {
    const since = run.attemptedAt
      ? new Date(Date.parse(run.requestedAt) - 60_000)
      : new Date(now.getTime() - RECOVERY_LOOKBACK_MS);
    const known = knownRunIds(job);
    const found = (await port.findRunsForJob(job.workflow, job.id, since)).filter((r) => !known.has(r.id));
    const earliest = found.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id)[0];
    if (earliest) {
      await applyJobEvent(rt, jobId, {
        type: "dispatched",
        operation: run.operation,
        runId: earliest.id,
        htmlUrl: earliest.htmlUrl,
      });
      // A run that finished while flowgate was not looking sends no more webhooks: take its result now.
      if (earliest.status === "completed") await adoptCompletedRun(rt, job, earliest);
      return;
    }
    if (run.attemptedAt && now.getTime() - Date.parse(run.attemptedAt) < rt.settings.dispatchLookupGraceMs) {
      throw new RetryLater(`run for ${jobId} not visible yet; looking again before any re-dispatch`);
    }
  }

  const previous = run.attemptedAt;
  const claim = await rt.jobs.docs.update(jobId, (doc) => {
    const r = doc.runs[runIndex];
    if (!r || r.runId !== undefined || r.status !== "dispatching" || r.attemptedAt !== previous)
      return undefined;
    r.attemptedAt = now.toISOString();
    r.attempts = (r.attempts ?? 0) + 1;
    return doc;
  });
  if (!claim?.changed) return;

  const inputs = dispatchInputs(claim.doc, run.operation);
  const ref = claim.doc.dispatchRef ?? "main";
  try {
    const { runId } = await port.dispatchWorkflow(job.workflow, ref, inputs);
    rt.metrics.dispatches.inc({ operation: run.operation });
    const audited = {
      type: "dispatch" as const,
      repo: `${job.owner}/${job.repo}`,
      ...(job.prNumber ? { pr: job.prNumber } : {}),
      stack: job.stack,
      jobId,
      policy: job.policy.name,
      decision: run.operation,
      reason: `workflow ${job.workflow} on ${ref} for ${job.sha.slice(0, 7)}${runId ? `, run ${runId}` : ""}`,
    };
    await Promise.all([
      rt.audit.record(audited),
      runId !== undefined
        ? applyJobEvent(rt, jobId, { type: "dispatched", operation: run.operation, runId })
        : // GitHub gave no run id: find the run by its run-name shortly (SPEC §5).
          rt.queues.addStep(
            { step: "dispatch", jobId, runIndex },
            safeId("dispatch", jobId, runIndex, "lookup", claim.doc.runs[runIndex]?.attempts ?? 1),
            3_000,
          ),
    ]);
  } catch (error) {
    if (isPermanent(error)) {
      const message = error instanceof Error ? error.message : String(error);
      await applyJobEvent(rt, jobId, {
        type: "dispatch-failed",
        operation: run.operation,
        message: `GitHub refused to dispatch ${job.workflow} on ${ref} (${statusOf(error)}): ${message}`,
      });
      return;
    }
    // 5xx, timeout, rate limit: GitHub may or may not have started a run; the retry looks first.
    throw error;
  }
}
