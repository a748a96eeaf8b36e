import type { Runtime } from "../../app/runtime.js";
import type { Stack } from "../../config/types.js";
import type { PlanView } from "../../engine/pull-decision.js";
import type { Resolution } from "../../engine/resolve/resolve.js";
import { planJobId } from "../../engine/stack-job/ids.js";
import { newJob } from "../../engine/stack-job/index.js";
import type { Actor, JobTimeouts, StackJob } from "../../engine/stack-job/types.js";
import { parseDuration } from "../../engine/time/duration.js";
import type { PullRecord } from "../../state/pulls.js";
import { applyJobEvent } from "../jobs/driver.js";
import { inRecovery } from "./lost-state.js";

const HOUR = 3_600_000;

export function jobTimeouts(resolution: Resolution): JobTimeouts {
  const ms = (text: string | undefined, fallback: number) => {
    const parsed = text ? parseDuration(text) : undefined;
    return parsed?.ok ? parsed.value : fallback;
  };
  const t = resolution.flow.timeouts;
  return {
    planMs: ms(t.plan, HOUR),
    applyMs: ms(t.apply, 3 * HOUR),
    approvalMs: ms(t.approval, 7 * 24 * HOUR),
    planMaxAgeMs: ms(resolution.flow.planMaxAge, 24 * HOUR),
  };
}

/** Why a stack's plan waits for a `/plan` instead of starting on its own (SPEC §3 step 5), or undefined. */
export function waitsForCommand(record: PullRecord, resolution: Resolution): string | undefined {
  if (record.facts.draft) return "draft: plans start when the PR is marked ready for review";
  if (record.facts.fork)
    return "PR from a fork: never planned automatically; an admin or maintainer comments `/plan`";
  if (resolution.flow.isManual) return "isManual: comment `/plan` to plan this stack";
  if (resolution.flow.disableOnLifecycleEvents)
    return "disableOnLifecycleEvents: comment `/plan` to plan this stack";
  return undefined;
}

/** The view of a plan job for the sticky comment and checks. */
export function planViewOf(job: StackJob): PlanView {
  const run = job.runs.filter((r) => r.operation === "plan").at(-1);
  const runUrl = run?.htmlUrl ? { runUrl: run.htmlUrl } : {};
  switch (job.status) {
    case "succeeded":
      if (job.plan)
        return {
          state: "succeeded",
          jobId: job.id,
          summary: job.plan.summary,
          finishedAt: job.plan.finishedAt,
          ...runUrl,
        };
      return { state: "failed", jobId: job.id, reason: job.reason, ...runUrl };
    case "failed":
    case "superseded":
      return { state: "failed", jobId: job.id, reason: job.reason, ...runUrl };
    case "cancelled":
      return { state: "cancelled", jobId: job.id, reason: job.reason, ...runUrl };
    case "timed_out":
      return { state: "timed_out", jobId: job.id, reason: job.reason, ...runUrl };
    case "planning":
      return {
        state: run?.status === "waiting" ? "waiting-environment" : "running",
        jobId: job.id,
        ...runUrl,
      };
    default:
      return { state: "queued", jobId: job.id, ...runUrl };
  }
}

/**
 * Creates the plan job for a stack at the PR's head and starts it. Creation is keyed by (head, stack,
 * attempt), so a redelivered webhook or a second worker finds the job already there.
 */
export async function startPlanJob(
  rt: Runtime,
  record: PullRecord,
  stack: Stack,
  resolution: Resolution,
  triggeredBy: Actor,
  opts: { sha?: string; attempt?: number; replace?: boolean } = {},
): Promise<StackJob | undefined> {
  const { repo, facts } = record;
  const sha = opts.sha ?? facts.headSha;
  const attempt = opts.attempt ?? 1;
  const id = planJobId(repo.repoId, facts.number, stack.name, sha, attempt);
  const job = newJob(
    {
      id,
      kind: "plan",
      installationId: repo.installationId,
      owner: repo.owner,
      repo: repo.repo,
      stack: stack.name,
      environment: stack.environment,
      workflow: stack.workflow,
      path: stack.dir,
      sha,
      prNumber: facts.number,
      controls: {
        isManual: resolution.flow.isManual,
        disableOnLifecycleEvents: resolution.flow.disableOnLifecycleEvents,
        skipRefresh: resolution.flow.skipRefresh,
        previewBeforeUpdateOrDestroy: true,
        pauseBetweenPreviewAndUpdateOrDestroy: resolution.flow.pauseBetweenPreviewAndUpdateOrDestroy,
      },
      policy: { name: resolution.policy.policy, file: resolution.policy.file },
      timeouts: jobTimeouts(resolution),
      dependsOn: [],
      gates: [],
      triggeredBy,
    },
    rt.clock.now(),
  );
  job.dispatchRef = repo.defaultBranch;
  if (await inRecovery(rt, repo.installationId)) job.recovered = true;
  const created = await rt.jobs.create(job, repo.repoId);
  await rt.pulls.setPlanJobId(
    repo.repoId,
    facts.number,
    facts.headSha,
    stack.name,
    id,
    opts.replace ?? false,
  );
  if (created) await applyJobEvent(rt, id, { type: "ready" });
  return rt.jobs.get(id);
}
