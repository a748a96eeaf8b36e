import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sweepDeadlines } from "../../../src/workers/jobs/deadlines.js";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import { latestCheck, openPull, PRODUCTION_POLICY, quiet, stackDoc } from "./support.js";

/** One production stack whose plans may take 2 s. */
const FILES = {
  ".github/flowgate/stacks.yml": [
    stackDoc("billing-db", "production", "infra/prod/billing-db"),
    `${PRODUCTION_POLICY}    timeouts: { plan: 2s }\n`,
  ].join("---\n"),
  "infra/prod/billing-db/main.tf": "# db\n",
};

describe("stack job deadlines, swept from one sorted set (issue 11)", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it("forgets a deadline that moved, and times a job out once though several workers sweep it", async () => {
    const repo = seedRepo(h.gh, FILES);
    h.gh.setPermission(repo.fullName, "alice", "write");
    const second = await h.another();
    const { head } = await openPull(h, repo, "change", { "infra/prod/billing-db/main.tf": "# changed\n" });
    const dispatch = await h.waitFor(() => h.gh.dispatches(repo.fullName)[0], "the plan's dispatch");
    const rt = h.app.runtime;
    const jobId = dispatch.inputs.job_id!;
    const job = await rt.jobs.get(jobId);
    expect(job?.status).toBe("planning");
    expect(await rt.queues.jobs.getDelayedCount()).toBe(0);
    expect(await rt.redis.zrange("fg:jobs:deadlines", 0, -1)).toEqual([`${jobId}|${job!.deadline}`]);

    // A deadline the job no longer has, due now: forgotten, the job untouched.
    await rt.jobs.scheduleDeadline(jobId, "2020-01-01T00:00:00.000Z", 0);
    await Promise.all([sweepDeadlines(rt), sweepDeadlines(second.runtime)]);
    expect(await rt.redis.zrange("fg:jobs:deadlines", 0, -1)).toEqual([`${jobId}|${job!.deadline}`]);
    expect((await rt.jobs.get(jobId))?.status).toBe("planning");

    // The plan never finishes: both processes' sweeps see the deadline pass.
    await h.waitFor(async () => (await rt.jobs.get(jobId))?.status === "timed_out", "the job to time out");
    await h.waitFor(
      () => latestCheck(h, repo, head, "flowgate/plan: billing-db")?.conclusion === "timed_out",
      "the plan check to say so",
    );
    await quiet(h);
    const timedOut = (await rt.audit.since(new Date(0))).filter(
      (e) => e.jobId === jobId && e.decision === "timed_out",
    );
    expect(timedOut).toHaveLength(1);
    expect(await rt.redis.zcard("fg:jobs:deadlines")).toBe(0);
  });
});
