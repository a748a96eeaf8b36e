/** SPEC §4 carry-over by fingerprint, and §2.3's forced pause after a policy change. */
import { describe, expect, it } from "vitest";
import type { NewJobInput } from "../../../src/engine/stack-job/create.js";
import type { StackJob, Transition } from "../../../src/engine/stack-job/types.js";
import { planFingerprint } from "../../../src/plan/fingerprint.js";
import type { ResultResource } from "../../../src/plan/result.js";
import {
  CHANGES,
  controls,
  create,
  drive,
  makeJob,
  noop,
  planResult,
  refused,
  step,
  t,
  update,
} from "./builders.js";

/** Plans the job with `resources` and returns what the plan's completion did. */
function planWith(overrides: Partial<NewJobInput>, resources: ResultResource[]): Transition {
  const job: StackJob = drive(makeJob(overrides), [
    [{ type: "ready", lockToken: 5 }, 1],
    [{ type: "dispatched", operation: "plan", runId: 101 }, 2],
  ]);
  return step(
    job,
    { type: "run-completed", runId: 101, conclusion: "success", result: planResult(job, resources) },
    t(10),
  );
}

const approvedOnPr = { fingerprint: planFingerprint(CHANGES), approvers: ["bob", "erin"] };

describe("carry-over of the PR's approval", () => {
  it("carries over when the new plan makes the same changes, and applies at once", () => {
    // Same changes in another order, plus a no-op: the fingerprint is the same.
    const reordered = [noop("aws_iam_role.x"), ...[...CHANGES].reverse()];
    const tr = planWith({ carryOver: approvedOnPr }, reordered);
    expect(tr.job.status).toBe("applying");
    expect(tr.job.approval).toEqual({
      approvers: ["bob", "erin"],
      at: t(10).toISOString(),
      carriedOver: true,
    });
    expect(tr.job.reason).toMatch(/approval given on the PR by @bob, @erin carries over/);
    expect(tr.effects[0]).toMatchObject({
      type: "dispatch",
      operation: "apply",
      inputs: { plan_run_id: "101" },
    });
  });

  it("waits for a new approval when the plan differs from the approved one", () => {
    const tr = planWith({ carryOver: approvedOnPr }, [...CHANGES, create("aws_db_instance.extra")]);
    expect(tr.job.status).toBe("awaiting_approval");
    expect(tr.job.approval).toBeUndefined();
    expect(tr.job.reason).toBe(
      "waiting for approval (plan +2 ~2 -0): the plan differs from the one approved on the PR",
    );
    expect(tr.effects.some((e) => e.type === "dispatch")).toBe(false);
  });

  it("counts a different action on the same resource as a different plan", () => {
    const replaced: ResultResource[] = CHANGES.map((r, i) => (i === 1 ? { ...r, action: "replace" } : r));
    expect(planWith({ carryOver: approvedOnPr }, replaced).job.status).toBe("awaiting_approval");
  });

  it("says when there was nothing to carry over", () => {
    expect(planWith({}, CHANGES).job.reason).toBe(
      "waiting for approval (plan +1 ~2 -0): no approval given on the PR carries over",
    );
  });

  it("never carries over to a push that did not come through a PR", () => {
    const tr = planWith({ prNumber: undefined, carryOver: approvedOnPr }, CHANGES);
    expect(tr.job.status).toBe("awaiting_approval");
    expect(tr.job.reason).toMatch(/came without a PR/);
  });

  it("does not carry over an approval with nobody in it", () => {
    const empty = { fingerprint: planFingerprint(CHANGES), approvers: [] };
    expect(planWith({ carryOver: empty }, CHANGES).job.status).toBe("awaiting_approval");
  });
});

describe("forcePause: the first apply after a policy change", () => {
  const forcePause = "the policy for billing-db changed in this merge";
  const relaxed = controls({ pauseBetweenPreviewAndUpdateOrDestroy: false });

  it("pauses for approval even when the policy does not", () => {
    const tr = planWith({ controls: relaxed, forcePause }, CHANGES);
    expect(tr.job.status).toBe("awaiting_approval");
    expect(tr.job.reason).toBe(`waiting for approval (plan +1 ~2 -0): ${forcePause}`);
  });

  it("does not let the PR's approval carry over, even with the same fingerprint", () => {
    const tr = planWith({ controls: relaxed, forcePause, carryOver: approvedOnPr }, CHANGES);
    expect(tr.job.status).toBe("awaiting_approval");
    expect(tr.job.approval).toBeUndefined();
    expect(tr.job.reason).toMatch(/does not carry over/);
  });

  it("applies after an approval", () => {
    const waiting = planWith({ controls: relaxed, forcePause }, CHANGES).job;
    const tr = step(waiting, { type: "approved", approvers: ["bob"], carriedOver: false }, t(20));
    expect(tr.job.status).toBe("applying");
  });

  it("without forcePause, the same relaxed policy applies straight after the plan", () => {
    expect(planWith({ controls: relaxed }, [update("aws_db_instance.main")]).job.status).toBe("applying");
  });
});

describe("a forced pause after a policy change", () => {
  it("refuses an approval marked as carried over; a new one counts (found by the property test, seed 1727039736)", () => {
    const waiting = planWith({ forcePause: "the policy changed" }, CHANGES).job;
    expect(waiting.status).toBe("awaiting_approval");
    refused(waiting, { type: "approved", approvers: ["erin"], carriedOver: true }, t(11), /policy changed/);
    const fresh = step(waiting, { type: "approved", approvers: ["erin"], carriedOver: false }, t(11));
    expect(fresh.job.status).toBe("applying");
  });
});
