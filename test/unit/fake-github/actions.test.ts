import { createHmac } from "node:crypto";
import { strFromU8, unzipSync } from "fflate";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { captureWebhooks, type Fixture, startFixture, statusOf } from "./setup.js";

let f: Fixture;
let hooks: Awaited<ReturnType<typeof captureWebhooks>>;
beforeEach(async () => {
  f = await startFixture();
  hooks = await captureWebhooks();
  f.gh.setWebhookTarget(hooks.url);
  f.gh.addWorkflow("acme/infra", "flowgate.yml");
});
afterEach(async () => {
  await f.gh.stop();
  await hooks.close();
});

const repo = { owner: "acme", repo: "infra" };
const inputs = {
  job_id: "job-42",
  stack: "db",
  operation: "plan",
  sha: "abc",
  path: "infra/prod/db",
  refresh: "true",
};

async function dispatch(extra: Record<string, unknown> = {}) {
  return f.octokit.request("POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches", {
    ...repo,
    workflow_id: "flowgate.yml",
    ref: "main",
    inputs,
    return_run_details: true,
    ...extra,
  });
}

describe("workflow dispatch", () => {
  it("returns the run's details with return_run_details and creates a queued workflow_dispatch run", async () => {
    const { status, data } = await dispatch();
    expect(status).toBe(200);
    const runId = (data as { workflow_run_id: number }).workflow_run_id;
    expect(data).toEqual({
      workflow_run_id: runId,
      run_url: `${f.url}/repos/acme/infra/actions/runs/${runId}`,
      html_url: `https://github.com/acme/infra/actions/runs/${runId}`,
    });
    const { data: run } = await f.octokit.rest.actions.getWorkflowRun({ ...repo, run_id: runId });
    expect(run).toMatchObject({
      event: "workflow_dispatch",
      display_title: "flowgate job-42",
      head_branch: "main",
      head_sha: f.gh.repo("acme/infra").branches.get("main"),
      run_attempt: 1,
      status: "queued",
      conclusion: null,
      path: ".github/workflows/flowgate.yml",
      actor: { login: "flowgate[bot]" },
      triggering_actor: { login: "flowgate[bot]" },
    });
    expect(f.gh.dispatches("acme/infra")).toEqual([
      expect.objectContaining({
        workflow: "flowgate.yml",
        ref: "main",
        inputs,
        runId,
        returnRunDetails: true,
      }),
    ]);
    await f.gh.settle();
    expect(hooks.received.map((h) => [h.headers["x-github-event"], h.json.action])).toEqual([
      ["workflow_run", "requested"],
    ]);
  });

  it("answers 204 without return_run_details", async () => {
    const { status, data } = await dispatch({ return_run_details: undefined });
    expect(status).toBe(204);
    expect(data).toBe("");
    expect(f.gh.runs("acme/infra")).toHaveLength(1);
  });

  it("refuses unknown refs, unknown inputs, missing inputs and a workflow missing on the ref", async () => {
    expect(await statusOf(dispatch({ ref: "nope" }))).toBe(422);
    expect(await statusOf(dispatch({ inputs: { ...inputs, extra: "x" } }))).toBe(422);
    expect(await statusOf(dispatch({ inputs: { job_id: "j" } }))).toBe(422);
    f.gh.commit("acme/infra", "old", { "x.tf": "x\n" }, "branch", {
      from: f.gh.repo("acme/infra").commits.values().next().value?.sha ?? "",
    });
    expect(await statusOf(dispatch({ ref: "old" }))).toBe(422);
    expect(await statusOf(dispatch({ workflow_id: "missing.yml" }))).toBe(404);
    f.gh.addWorkflow("acme/infra", "push-only.yml", { yaml: "on: push\njobs: {}\n" });
    expect(await statusOf(dispatch({ workflow_id: "push-only.yml", inputs: {} }))).toBe(422);
    expect(f.gh.runs("acme/infra")).toEqual([]);
  });

  it("lists runs with event, status, branch, actor and created filters", async () => {
    const first = (await dispatch()).data as { workflow_run_id: number };
    const second = (await dispatch({ inputs: { ...inputs, job_id: "job-43" } })).data as {
      workflow_run_id: number;
    };
    await f.gh.completeRun("acme/infra", first.workflow_run_id, { conclusion: "success" });
    const list = async (query: Record<string, string>) =>
      (await f.octokit.rest.actions.listWorkflowRunsForRepo({ ...repo, ...query })).data.workflow_runs.map(
        (r) => r.id,
      );
    expect(await list({})).toEqual([second.workflow_run_id, first.workflow_run_id]);
    expect(await list({ status: "queued" })).toEqual([second.workflow_run_id]);
    expect(await list({ status: "success" })).toEqual([first.workflow_run_id]);
    expect(await list({ event: "push" })).toEqual([]);
    expect(
      await list({ branch: "main", actor: "flowgate[bot]", created: ">=2000-01-01T00:00:00Z" }),
    ).toHaveLength(2);
    expect(await list({ created: "<2000-01-01T00:00:00Z" })).toEqual([]);
    const { data } = await f.octokit.rest.actions.listWorkflowRuns({
      ...repo,
      workflow_id: "flowgate.yml",
      per_page: 1,
    });
    expect(data.total_count).toBe(2);
    expect(data.workflow_runs).toHaveLength(1);
  });
});

describe("run completion and artifacts", () => {
  it("completes a run, attaches result.json and sends a signed workflow_run completed webhook", async () => {
    const { workflow_run_id: runId } = (await dispatch()).data as { workflow_run_id: number };
    const result = {
      version: 1,
      jobId: "job-42",
      outcome: "success",
      summary: { add: 1, change: 0, destroy: 0, replace: 0 },
    };
    const delivery = await f.gh.completeRun("acme/infra", runId, { conclusion: "success", result });
    expect(delivery?.status).toBe(202);
    await f.gh.settle();
    const completed = hooks.received.find((h) => h.json.action === "completed");
    expect(completed?.headers["x-hub-signature-256"]).toBe(
      `sha256=${createHmac("sha256", "s3cret")
        .update(completed?.body ?? "")
        .digest("hex")}`,
    );
    expect(completed?.json).toMatchObject({
      workflow_run: {
        id: runId,
        conclusion: "success",
        status: "completed",
        run_attempt: 1,
        display_title: "flowgate job-42",
      },
      installation: { id: 11 },
    });

    const { data: list } = await f.octokit.rest.actions.listWorkflowRunArtifacts({
      ...repo,
      run_id: runId,
      name: "flowgate-result",
    });
    expect(list.artifacts).toHaveLength(1);
    const artifact = list.artifacts[0];
    const download = await f.octokit.rest.actions.downloadArtifact({
      ...repo,
      artifact_id: artifact?.id ?? 0,
      archive_format: "zip",
    });
    const files = unzipSync(new Uint8Array(download.data as ArrayBuffer));
    expect(JSON.parse(strFromU8(files["result.json"] ?? new Uint8Array()))).toEqual(result);
    const redirect = f.gh.requests.find((r) => r.path.endsWith("/zip"));
    expect(redirect?.status).toBe(302);

    f.gh.expireArtifact("acme/infra", artifact?.id ?? 0);
    expect(
      await statusOf(
        f.octokit.rest.actions.downloadArtifact({
          ...repo,
          artifact_id: artifact?.id ?? 0,
          archive_format: "zip",
        }),
      ),
    ).toBe(410);
  });

  it("attaches no artifact for a failure without a result", async () => {
    const { workflow_run_id: runId } = (await dispatch()).data as { workflow_run_id: number };
    await f.gh.completeRun("acme/infra", runId, { conclusion: "failure" });
    const { data } = await f.octokit.rest.actions.listWorkflowRunArtifacts({ ...repo, run_id: runId });
    expect(data.total_count).toBe(0);
  });

  it("sends in_progress and requested for status changes", async () => {
    const { workflow_run_id: runId } = (await dispatch()).data as { workflow_run_id: number };
    await f.gh.setRunStatus("acme/infra", runId, "in_progress");
    await f.gh.setRunStatus("acme/infra", runId, "waiting");
    await f.gh.settle();
    expect(
      hooks.received.map((h) => [h.json.action, (h.json.workflow_run as { status: string }).status]),
    ).toEqual([
      ["requested", "queued"],
      ["in_progress", "in_progress"],
      ["requested", "waiting"],
    ]);
  });

  it("re-runs a completed run as attempt 2 and cancels a queued one", async () => {
    const { workflow_run_id: runId } = (await dispatch()).data as { workflow_run_id: number };
    expect(await statusOf(f.octokit.rest.actions.reRunWorkflow({ ...repo, run_id: runId }))).toBe(403);
    expect((await f.octokit.rest.actions.cancelWorkflowRun({ ...repo, run_id: runId })).status).toBe(202);
    await f.gh.settle();
    const { data: cancelled } = await f.octokit.rest.actions.getWorkflowRun({ ...repo, run_id: runId });
    expect(cancelled).toMatchObject({ status: "completed", conclusion: "cancelled" });
    expect(await statusOf(f.octokit.rest.actions.cancelWorkflowRun({ ...repo, run_id: runId }))).toBe(409);
    expect((await f.octokit.rest.actions.reRunWorkflow({ ...repo, run_id: runId })).status).toBe(201);
    const { data: again } = await f.octokit.rest.actions.getWorkflowRun({ ...repo, run_id: runId });
    expect(again).toMatchObject({ status: "queued", run_attempt: 2, conclusion: null });
  });

  it("records deployment protection rule reviews", async () => {
    const { workflow_run_id: runId } = (await dispatch()).data as { workflow_run_id: number };
    const review = (state: string) =>
      f.octokit.request("POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule", {
        ...repo,
        run_id: runId,
        environment_name: "production",
        state,
        comment: "approved by flowgate",
      });
    expect((await review("approved")).status).toBe(204);
    expect(await statusOf(review("maybe"))).toBe(422);
    expect(f.gh.protectionRuleReviews("acme/infra")).toEqual([
      expect.objectContaining({ runId, environmentName: "production", state: "approved" }),
    ]);
  });

  it("completes every dispatched run on its own with autoRun", async () => {
    f.gh.autoRun = ({ dispatch }) =>
      dispatch?.inputs.operation === "plan" ? { conclusion: "success", delayMs: 5 } : undefined;
    const { workflow_run_id: planned } = (await dispatch()).data as { workflow_run_id: number };
    const { workflow_run_id: applied } = (await dispatch({ inputs: { ...inputs, operation: "apply" } }))
      .data as {
      workflow_run_id: number;
    };
    await f.gh.settle();
    const byId = new Map(f.gh.runs("acme/infra").map((r) => [r.id, r]));
    expect(byId.get(planned)).toMatchObject({ status: "completed", conclusion: "success" });
    expect(byId.get(applied)).toMatchObject({ status: "queued" });
    const { data } = await f.octokit.rest.actions.listWorkflowRunArtifacts({ ...repo, run_id: planned });
    expect(data.artifacts.map((a) => a.name)).toEqual(["flowgate-result"]);
    const actions = hooks.received
      .filter((h) => (h.json.workflow_run as { id: number }).id === planned)
      .map((h) => h.json.action);
    expect(actions).toEqual(["requested", "in_progress", "completed"]);
  });

  it("stops promptly with runs still waiting for autoRun, and refuses to complete a run twice", async () => {
    f.gh.autoRun = () => ({ conclusion: "success", delayMs: 60_000 });
    const { workflow_run_id: runId } = (await dispatch()).data as { workflow_run_id: number };
    await f.gh.completeRun("acme/infra", runId, { conclusion: "failure" });
    await expect(f.gh.completeRun("acme/infra", runId, { conclusion: "success" })).rejects.toThrow(
      /already completed/,
    );
    const started = Date.now();
    await f.gh.stop();
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
