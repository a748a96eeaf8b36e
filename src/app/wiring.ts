import type { Wiring } from "../runtime/wiring.js";
import { ReconcileMemory } from "../state/reconcile.js";
import { advanceJob } from "../workers/apply/advance.js";
import { mergedPullCommand } from "../workers/apply/commands.js";
import { handleCommit } from "../workers/apply/commit.js";
import {
  afterApplyChange,
  commitFromMerge,
  commitFromPush,
  startPendingJob,
  wakeGateHolders,
} from "../workers/apply/pipeline.js";
import { pauseAfterPlan } from "../workers/apply/plan-decisions.js";
import { verifyStep } from "../workers/apply/verify.js";
import { handleCheckAction } from "../workers/events/check-action.js";
import { handleCommentEvent } from "../workers/events/comment-event.js";
import { handleDeploymentRule } from "../workers/events/deployment-rule.js";
import { handleMergeGroup } from "../workers/events/merge-group.js";
import { handlePeopleEvent } from "../workers/events/people-event.js";
import { handlePullEvent } from "../workers/events/pull-event.js";
import { handleReviewEvent } from "../workers/events/review-event.js";
import { ensureDispatched } from "../workers/jobs/dispatch.js";
import { applyJobEvent } from "../workers/jobs/driver.js";
import { handleRunEvent } from "../workers/jobs/run-update.js";
import { reconcileInstallation } from "../workers/reconcile/reconcile.js";

/**
 * Every route from a webhook, a step or a job change to the work it starts, in one place. Read top to
 * bottom: what a PR event does, what a push does (starts the applies of its commit), and so on.
 */
export function flowgateWiring(): Wiring {
  return {
    events: {
      pull: (rt, event, data) => handlePullEvent(rt, event, data.receivedAt),
      review: (rt, event, data) => handleReviewEvent(rt, event, data.receivedAt),
      comment: (rt, event, data) => handleCommentEvent(rt, event, data.receivedAt),
      "check-action": (rt, event, data) => handleCheckAction(rt, event, data.deliveryId, data.receivedAt),
      run: (rt, event) => handleRunEvent(rt, event),
      people: (rt, event) => handlePeopleEvent(rt, event),
      "org-config": (rt, event) => rt.config.forgetOrganization(event.repo.owner),
      push: async (rt, event) => {
        // A repository reconciliation left at rest (no configuration) may have configuration now.
        await new ReconcileMemory(rt.redis).wake(event.repo.repoId);
        await commitFromPush(rt, event);
      },
      "merge-group": (rt, event) => handleMergeGroup(rt, event),
      "deployment-rule": (rt, event) => handleDeploymentRule(rt, event),
      installation: async (rt, event) => {
        if (event.action === "deleted") return;
        await rt.queues.maintenance.add("reconcile", {
          kind: "reconcile",
          installationId: event.installationId,
        });
      },
    },
    steps: {
      dispatch: (rt, step) => ensureDispatched(rt, step.jobId, step.runIndex),
      timeout: async (rt, step) => {
        const job = await rt.jobs.get(step.jobId);
        // A timer for a deadline that has since moved is stale; the job's current deadline has its own.
        if (job?.deadline === step.deadline) await applyJobEvent(rt, step.jobId, { type: "timeout" });
      },
      advance: async (rt, step) => {
        await advanceJob(rt, step.jobId);
      },
      start: (rt, step) => startPendingJob(rt, step.jobId, step.by),
      verify: (rt, step) => verifyStep(rt, step.jobId),
      commit: async (rt, step) => {
        await handleCommit(rt, {
          repo: step.repo,
          before: step.before,
          after: step.after,
          pusher: step.pusher,
        });
      },
    },
    maintenance: async (rt, job) => {
      if (job.kind !== "reconcile") return;
      const ids = job.installationId ? [job.installationId] : await rt.listInstallations();
      for (const id of ids) {
        try {
          await reconcileInstallation(rt, id);
        } catch (error) {
          rt.log.warn(
            { err: error, installationId: id },
            "reconciliation of an installation failed; the next pass retries",
          );
        }
      }
    },
    afterJobChange: afterApplyChange,
    pauseAfterPlan,
    onMerged: commitFromMerge,
    onGateChanged: wakeGateHolders,
    mergedPullCommand,
  };
}
