import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DispatchRecord, RepoState } from "../../support/fake-github/index.js";
import { createRun } from "../../support/fake-github/runs.js";
import { type Harness, planResult, seedRepo, startHarness } from "../../support/harness.js";
import { workflowRunEvent } from "../../support/webhooks.js";
import { latestCheck, openPull, quiet, stackDoc, waitForAggregate } from "./support.js";

const planCheckName = (stack: string) => `flowgate/plan: ${stack}`;

/** A PR touching every one of `stacks` (staging, one approval), once each stack's plan is dispatched. */
async function plannedPull(h: Harness, stacks: string[]) {
  const files: Record<string, string> = {
    ".github/flowgate/stacks.yml": stacks.map((s) => stackDoc(s, "staging", `infra/${s}`)).join("---\n"),
  };
  for (const s of stacks) files[`infra/${s}/main.tf`] = `# ${s}\n`;
  const repo = seedRepo(h.gh, files);
  h.gh.setPermission(repo.fullName, "alice", "write");
  const change = Object.fromEntries(stacks.map((s) => [`infra/${s}/main.tf`, `# ${s} changed\n`]));
  const { pull, head } = await openPull(h, repo, "change", change);
  const dispatches = await h.waitFor(() => {
    const all = h.gh.dispatches(repo.fullName);
    return all.length === stacks.length ? all : undefined;
  }, "every stack's plan dispatch");
  const byStack = new Map<string, DispatchRecord>(dispatches.map((d) => [d.inputs.stack!, d]));
  for (const s of stacks)
    await h.waitFor(
      () => latestCheck(h, repo, head, planCheckName(s))?.output.title === "Planning",
      `${s} planning`,
    );
  return { repo, pull, head, byStack };
}

function planCheckOf(h: Harness, repo: RepoState, head: string, stack: string) {
  return latestCheck(h, repo, head, planCheckName(stack));
}

function waitForPlanCheck(h: Harness, repo: RepoState, head: string, stack: string, conclusion: string) {
  return h.waitFor(() => {
    const c = planCheckOf(h, repo, head, stack);
    return c?.conclusion === conclusion ? c : undefined;
  }, `${stack}'s plan check to end ${conclusion}`);
}

describe("what a workflow run's conclusion means (SPEC §5)", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it("failure without a result fails the plan with a link to the run; cancelled and timed_out end as such", async () => {
    const { repo, head, byStack } = await plannedPull(h, ["api", "web", "jobs"]);
    const runUrl = (d: DispatchRecord) => h.gh.runs(repo.fullName).find((r) => r.id === d.runId)!;
    await h.gh.completeRun(repo.fullName, byStack.get("api")!.runId, { conclusion: "failure" });
    await h.gh.completeRun(repo.fullName, byStack.get("web")!.runId, { conclusion: "cancelled" });
    await h.gh.completeRun(repo.fullName, byStack.get("jobs")!.runId, { conclusion: "timed_out" });

    const failed = await waitForPlanCheck(h, repo, head, "api", "failure");
    const link = `https://github.com/${repo.fullName}/actions/runs/${runUrl(byStack.get("api")!).id}`;
    expect(failed.detailsUrl).toBe(link);
    expect(failed.output.summary).toContain(link);
    expect(failed.output.title).toBe("Plan failed");
    const cancelled = await waitForPlanCheck(h, repo, head, "web", "cancelled");
    expect(cancelled.output.title).toBe("Plan cancelled");
    const timedOut = await waitForPlanCheck(h, repo, head, "jobs", "timed_out");
    expect(timedOut.output.title).toBe("Plan timed out");
    const aggregate = await waitForAggregate(h, repo, head, "failure");
    expect(aggregate.output.summary).toMatch(/api: plan failed/);
    expect(aggregate.output.summary).toMatch(/web: plan cancelled/);
    expect(aggregate.output.summary).toMatch(/jobs: plan timed out/);
    expect(h.gh.dispatches(repo.fullName)).toHaveLength(3);
  });

  it("shows a run waiting for an environment's reviewers as waiting", async () => {
    const { repo, head, byStack } = await plannedPull(h, ["api"]);
    await h.gh.setRunStatus(repo.fullName, byStack.get("api")!.runId, "waiting");
    const waiting = await h.waitFor(() => {
      const c = planCheckOf(h, repo, head, "api");
      return c?.output.title === "Waiting for environment reviewers" ? c : undefined;
    }, "the plan check to wait for reviewers");
    expect(waiting.status).toBe("in_progress");
    const aggregate = await h.waitFor(() => {
      const c = latestCheck(h, repo, head, "flowgate");
      return c?.output.summary?.includes("environment's reviewers") ? c : undefined;
    }, "the flowgate check to say so");
    expect(aggregate.status).toBe("in_progress");
  });

  it("ignores a re-run attempt of its run", async () => {
    const { repo, head, byStack } = await plannedPull(h, ["api"]);
    const dispatch = byStack.get("api")!;
    // Attempt 1 ended unseen; someone re-ran it by hand and attempt 2 reports a plan.
    const run = h.gh.runs(repo.fullName).find((r) => r.id === dispatch.runId)!;
    run.runAttempt = 2;
    run.triggeringActor = h.gh.store.user("mallory");
    await h.gh.completeRun(repo.fullName, run.id, { conclusion: "success", result: planResult(dispatch) });
    await quiet(h);
    const check = planCheckOf(h, repo, head, "api")!;
    expect(check.status).toBe("in_progress");
    expect(check.output.title).toBe("Planning");
  });

  it("refuses a result whose jobId or sha is not the job's", async () => {
    const { repo, head, byStack } = await plannedPull(h, ["api", "web"]);
    const api = byStack.get("api")!;
    const web = byStack.get("web")!;
    await h.gh.completeRun(repo.fullName, api.runId, {
      conclusion: "success",
      result: { ...planResult(api), sha: "0123456789abcdef0123456789abcdef01234567" },
    });
    await h.gh.completeRun(repo.fullName, web.runId, {
      conclusion: "success",
      result: { ...planResult(web), jobId: api.inputs.job_id },
    });

    const wrongSha = await waitForPlanCheck(h, repo, head, "api", "failure");
    expect(wrongSha.output.summary).toContain(
      `result.json is for commit 0123456, the job planned ${head.slice(0, 7)}`,
    );
    const wrongJob = await waitForPlanCheck(h, repo, head, "web", "failure");
    expect(wrongJob.output.summary).toContain(
      `result.json is for job ${api.inputs.job_id}, not ${web.inputs.job_id}`,
    );
    await waitForAggregate(h, repo, head, "failure");
  });

  it("ignores runs it did not dispatch, even one whose run-name names its job", async () => {
    const { repo, head, byStack } = await plannedPull(h, ["api"]);
    const ours = byStack.get("api")!;
    const workflow = [...repo.workflows.values()][0]!;
    const byHand = (displayTitle: string) =>
      createRun(
        h.gh.store,
        repo,
        {
          workflow,
          name: "flowgate",
          displayTitle,
          headBranch: "main",
          headSha: repo.branches.get("main")!,
          actor: h.gh.store.user("mallory"),
          inputs: { ...ours.inputs },
          event: "workflow_dispatch",
        },
        new Date(),
      );
    const other = byHand("deploy everything");
    const forged = byHand(`flowgate ${ours.inputs.job_id}`);
    await h.gh.completeRun(repo.fullName, other.id, { conclusion: "success", result: planResult(ours) });
    await h.gh.completeRun(repo.fullName, forged.id, {
      conclusion: "success",
      result: planResult(ours, { add: 0, change: 0, destroy: 0, replace: 0 }),
    });
    await quiet(h);
    expect(planCheckOf(h, repo, head, "api")?.output.title).toBe("Planning");

    // The run flowgate dispatched still counts.
    await h.gh.completeRun(repo.fullName, ours.runId, { conclusion: "success", result: planResult(ours) });
    const done = await waitForPlanCheck(h, repo, head, "api", "success");
    expect(done.output.title).toBe("+1 ~2 -0");
  });

  it("writes nothing for a run's `requested` event once the dispatch recorded the run; in_progress still counts", async () => {
    const { repo, byStack } = await plannedPull(h, ["api"]);
    const dispatch = byStack.get("api")!;
    const jobId = dispatch.inputs.job_id!;
    await quiet(h);
    const before = await h.app.runtime.jobs.docs.get(jobId);
    expect(before?.doc.runs[0]).toMatchObject({ runId: dispatch.runId, status: "dispatched" });
    const auditBefore = await h.app.runtime.redis.xlen("fg:audit");
    // GitHub delivers `requested` for every run it creates (the fake sent one already): send it again.
    const run = h.gh.runs(repo.fullName).find((r) => r.id === dispatch.runId)!;
    await h.gh.sendWebhook("workflow_run", workflowRunEvent(h.gh, run, "requested"));
    await quiet(h);
    expect((await h.app.runtime.jobs.docs.get(jobId))?.version).toBe(before?.version);
    expect(await h.app.runtime.redis.xlen("fg:audit")).toBe(auditBefore);

    await h.gh.setRunStatus(repo.fullName, dispatch.runId, "in_progress");
    await h.waitFor(
      async () => (await h.app.runtime.jobs.get(jobId))?.runs[0]?.status === "running",
      "the run to count as running",
    );
  });
});
