import { transition } from "../../engine/stack-job/index.js";
import type { JobEffect, JobEvent, StackJob } from "../../engine/stack-job/types.js";
import { TERMINAL_STATUSES } from "../../engine/stack-job/types.js";
import { safeId } from "../../queue/queues.js";
import type { Runtime } from "../../runtime/runtime.js";

/** A dispatch decided by a job event, for the caller to carry out itself (see `applyJobEvent`). */
export interface DeferredDispatch {
  jobId: string;
  runIndex: number;
}

export interface ApplyOptions {
  /**
   * Hands the dispatch to the caller instead of queueing a step: the PR evaluation dispatches its plans
   * after its checks are written, in its own worker (issue 11: one queued job fewer per plan).
   */
  deferDispatch?: (dispatch: DeferredDispatch) => void;
}

export interface Applied {
  job: StackJob;
  accepted: boolean;
  note: string;
}

/**
 * Applies an event to a stack job with compare-and-set: of two workers handling the same event, one
 * writes and the other finds the event no longer applies. Effects run only for the winner, and each
 * effect is itself an idempotent queued step, so a crash after the write loses nothing.
 */
export async function applyJobEvent(
  rt: Runtime,
  jobId: string,
  event: JobEvent,
  opts: ApplyOptions = {},
): Promise<Applied | undefined> {
  let effects: JobEffect[] = [];
  let note = "";
  let accepted = false;
  let indexedRuns = new Set<number>();
  const result = await rt.jobs.docs.update(jobId, (job) => {
    indexedRuns = new Set(job.runs.flatMap((r) => (r.runId ? [r.runId] : [])));
    const t = transition(job, event, rt.clock.now());
    note = t.note;
    accepted = t.accepted;
    if (!t.accepted) return undefined;
    effects = t.effects;
    return t.job;
  });
  if (!result) return undefined;
  const job = result.doc;
  if (!result.changed) return { job, accepted, note };
  await afterWrite(rt, job, effects, indexedRuns, opts);
  return { job, accepted: true, note };
}

/**
 * Creates a job with its first event already applied: one write where a create and a compare-and-set
 * were two (issue 11). False, and nothing written, when the job exists already.
 */
export async function createJobWithEvent(
  rt: Runtime,
  draft: StackJob,
  repoId: number,
  event: JobEvent,
  opts: ApplyOptions = {},
): Promise<boolean> {
  const t = transition(draft, event, rt.clock.now());
  const job = t.accepted ? t.job : draft;
  if (!(await rt.jobs.docs.create(job.id, job))) return false;
  // The new job's indexes go out with its effects and audit entry (one round trip).
  await Promise.all([
    rt.jobs.indexCreated(job, repoId),
    t.accepted ? afterWrite(rt, job, t.effects, new Set(), opts) : undefined,
  ]);
  return true;
}

/** What follows a job's new state: metrics, indexes, effects, the audit entry, the pipeline's hooks. */
async function afterWrite(
  rt: Runtime,
  job: StackJob,
  effects: JobEffect[],
  indexedRuns: ReadonlySet<number>,
  opts: ApplyOptions,
): Promise<void> {
  if (TERMINAL_STATUSES.has(job.status)) {
    const seconds = (Date.parse(job.updatedAt) - Date.parse(job.createdAt)) / 1000;
    rt.metrics.jobDuration.observe(
      { policy: job.policy.name, kind: job.kind, outcome: job.status },
      Math.max(0, seconds),
    );
  }
  // Independent writes, sent together (one round trip where they only touch Redis).
  await Promise.all([
    rt.jobs.indexAfterWrite(job, indexedRuns),
    runEffects(rt, job, effects, opts),
    rt.audit.record({
      type: "job-status",
      repo: `${job.owner}/${job.repo}`,
      ...(job.prNumber ? { pr: job.prNumber } : {}),
      stack: job.stack,
      jobId: job.id,
      policy: job.policy.name,
      environment: job.environment,
      decision: job.status,
      reason: job.reason,
    }),
  ]);
  await rt.wiring.afterJobChange(rt, job, effects);
}

async function runEffects(
  rt: Runtime,
  job: StackJob,
  effects: JobEffect[],
  opts: ApplyOptions,
): Promise<void> {
  const now = rt.clock.now();
  for (const effect of effects) {
    switch (effect.type) {
      case "dispatch": {
        const runIndex = job.runs.length - 1;
        if (opts.deferDispatch) {
          opts.deferDispatch({ jobId: job.id, runIndex });
          break;
        }
        await rt.queues.addStep(
          { step: "dispatch", jobId: job.id, runIndex },
          safeId("dispatch", job.id, runIndex),
        );
        break;
      }
      case "schedule-deadline": {
        await rt.jobs.scheduleDeadline(job.id, effect.at, Date.parse(effect.at) - now.getTime());
        break;
      }
      case "cancel-run":
        try {
          await rt
            .github({ installationId: job.installationId, owner: job.owner, repo: job.repo })
            .cancelRun(effect.runId);
        } catch (error) {
          rt.log.warn(
            { err: error, jobId: job.id, runId: effect.runId },
            "could not cancel the workflow run",
          );
        }
        break;
      default:
        // release-lock and wake-dependents belong to the apply pipeline's hooks.
        break;
    }
  }
}
