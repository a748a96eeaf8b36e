import type { Stack } from "../../config/types.js";
import type { Resolution } from "../../engine/resolve/resolve.js";
import { planJobId } from "../../engine/stack-job/ids.js";
import { newJob } from "../../engine/stack-job/index.js";
import type { Actor } from "../../engine/stack-job/types.js";
import type { Runtime } from "../../runtime/runtime.js";
import type { PullRecord } from "../../state/pulls.js";

export { planViewOf, waitsForCommand } from "../../engine/pull/plan-view.js";
export { jobTimeouts } from "../../engine/stack-job/timeouts.js";

import { jobTimeouts } from "../../engine/stack-job/timeouts.js";

import { createJobWithEvent, type DeferredDispatch } from "../jobs/driver.js";
import { inRecovery, recoveringSince } from "./lost-state.js";

const _HOUR = 3_600_000;

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
  opts: {
    sha?: string;
    attempt?: number;
    replace?: boolean;
    deferDispatch?: (d: DeferredDispatch) => void;
    /** when this installation's state was lost, as the evaluation already read it (saves a round trip) */
    lostSince?: Date | null;
  } = {},
): Promise<void> {
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
  const recovering =
    opts.lostSince === undefined
      ? await inRecovery(rt, repo.installationId)
      : opts.lostSince !== null && recoveringSince(opts.lostSince, rt.clock.now());
  if (recovering) job.recovered = true;
  // The job and the PR's pointer to it are written together; the job is created already started.
  await Promise.all([
    createJobWithEvent(
      rt,
      job,
      repo.repoId,
      { type: "ready" },
      opts.deferDispatch ? { deferDispatch: opts.deferDispatch } : {},
    ),
    rt.pulls.setPlanJobId(repo.repoId, facts.number, facts.headSha, stack.name, id, opts.replace ?? false),
  ]);
}
