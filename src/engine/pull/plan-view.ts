import type { PlanView } from "../pull-decision.js";
import type { Resolution } from "../resolve/resolve.js";
import type { StackJob } from "../stack-job/types.js";

/** Why a stack's plan waits for a `/plan` instead of starting on its own (SPEC §3 step 5), or undefined. */
export function waitsForCommand(
  pull: { facts: { draft: boolean; fork: boolean } },
  resolution: Resolution,
): string | undefined {
  if (pull.facts.draft) return "draft: plans start when the PR is marked ready for review";
  if (pull.facts.fork)
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
