import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import { pullRequestEvent } from "../../support/webhooks.js";
import { latestCheck, openPull, quiet, TWO_STACK_FILES } from "./support.js";

const COMMENTS = /POST \/repos\/acme\/[^/]+\/issues\/\d+\/comments/;

describe("dispatching a PR's plan from its evaluation (issue 11)", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it("dispatches after the checks are written, once, even when the sticky comment cannot be written", async () => {
    const repo = seedRepo(h.gh, TWO_STACK_FILES);
    h.gh.setPermission(repo.fullName, "alice", "write");
    // 403 is permanent: the evaluation reports it and is not retried
    h.gh.failNext(COMMENTS, 403, 50);
    const { head } = await openPull(h, repo, "change", { "infra/prod/billing-db/main.tf": "# changed\n" });
    const dispatch = await h.waitFor(() => h.gh.dispatches(repo.fullName)[0], "the plan's dispatch");
    expect(dispatch.inputs).toMatchObject({ stack: "billing-db", sha: head, operation: "plan" });
    const planCheck = h.gh.requests
      .filter((r) => r.method === "POST" && r.path.endsWith("/check-runs"))
      .map((r) => r.at.getTime());
    const dispatchedAt = h.gh.requests.find((r) => r.path.endsWith("/dispatches"))!.at.getTime();
    expect(Math.min(...planCheck)).toBeLessThanOrEqual(dispatchedAt);
    await quiet(h);
    expect(h.gh.dispatches(repo.fullName)).toHaveLength(1);
  });

  it("dispatches a plan decided by a worker that stopped before dispatching, at the PR's next evaluation, once", async () => {
    const repo = seedRepo(h.gh, TWO_STACK_FILES);
    h.gh.setPermission(repo.fullName, "alice", "write");
    const { pull, head } = await openPull(h, repo, "change", {
      "infra/prod/billing-db/main.tf": "# changed\n",
    });
    const first = await h.waitFor(() => h.gh.dispatches(repo.fullName)[0], "the plan's dispatch");
    await quiet(h);
    // What a worker leaves behind when it stops between deciding a run and claiming its dispatch.
    const jobId = first.inputs.job_id!;
    await h.app.runtime.jobs.docs.update(jobId, (job) => {
      job.runs.push({ operation: "plan", status: "dispatching", requestedAt: new Date().toISOString() });
      return job;
    });

    await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "labeled", pull));
    await h.waitFor(async () => (await h.app.runtime.jobs.get(jobId))?.runs[1]?.runId, "the run's dispatch");
    await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "labeled", pull));
    await quiet(h);
    const dispatches = h.gh.dispatches(repo.fullName);
    expect(dispatches).toHaveLength(2);
    expect(dispatches[1]!.inputs).toMatchObject({ job_id: jobId, sha: head, operation: "plan" });
    expect(latestCheck(h, repo, head, "flowgate/plan: billing-db")?.output.title).toBe("Planning");
  });
});

describe("a GitHub that answers a dispatch without its run (an older GitHub Enterprise Server)", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it("finds the run by its run-name, without a second dispatch, and takes its result", async () => {
    h.gh.setDispatchRunDetails(false);
    const repo = seedRepo(h.gh, TWO_STACK_FILES);
    h.gh.setPermission(repo.fullName, "alice", "write");
    const { head } = await openPull(h, repo, "change", { "infra/prod/billing-db/main.tf": "# changed\n" });
    const dispatch = await h.waitFor(() => h.gh.dispatches(repo.fullName)[0], "the plan's dispatch");
    const jobId = dispatch.inputs.job_id!;
    await h.waitFor(
      async () => (await h.app.runtime.jobs.get(jobId))?.runs[0]?.runId === dispatch.runId,
      "the run to be found by its run-name",
    );
    await h.gh.completeRun(repo.fullName, dispatch.runId, { conclusion: "success" });
    await h.waitFor(
      () => latestCheck(h, repo, head, "flowgate/plan: billing-db")?.conclusion === "success",
      "the plan check to pass",
    );
    expect(h.gh.dispatches(repo.fullName)).toHaveLength(1);
  });
});
