import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Fixture, startFixture, statusOf } from "./setup.js";

let f: Fixture;
let sha: string;
beforeAll(async () => {
  f = await startFixture();
  sha = f.gh.commit("acme/infra", "feature", { "a.tf": "a\n" });
});
afterAll(() => f.gh.stop());

const repo = { owner: "acme", repo: "infra" };

/** The 422 message (and errors) GitHub answers for a bad check run body, or "" when accepted. */
async function refusal(body: Record<string, unknown>): Promise<string> {
  try {
    await f.octokit.request("POST /repos/{owner}/{repo}/check-runs", {
      ...repo,
      name: "x",
      head_sha: sha,
      ...body,
    });
    return "";
  } catch (cause) {
    const error = cause as { status: number; response?: { data?: unknown } };
    expect(error.status).toBe(422);
    return JSON.stringify(error.response?.data);
  }
}

describe("check runs", () => {
  it("creates, updates and reads a check run owned by the app", async () => {
    const { data: created, status } = await f.octokit.rest.checks.create({
      ...repo,
      name: "flowgate",
      head_sha: sha,
      status: "in_progress",
      external_id: "job-1",
      output: { title: "Waiting", summary: "1 approval missing" },
    });
    expect(status).toBe(201);
    expect(created).toMatchObject({
      name: "flowgate",
      head_sha: sha,
      status: "in_progress",
      conclusion: null,
      external_id: "job-1",
    });
    expect(created.app?.slug).toBe("flowgate");
    const { data: updated } = await f.octokit.rest.checks.update({
      ...repo,
      check_run_id: created.id,
      conclusion: "success",
      output: { title: "Ready", summary: "all good" },
      actions: [{ label: "Approve", description: "Approve this plan", identifier: "approve" }],
    });
    expect(updated).toMatchObject({ status: "completed", conclusion: "success", output: { title: "Ready" } });
    expect(updated.completed_at).not.toBeNull();
    const { data: read } = await f.octokit.rest.checks.get({ ...repo, check_run_id: created.id });
    expect(read.output.summary).toBe("all good");
    expect(f.gh.checkRuns("acme/infra", { name: "flowgate" })).toEqual([
      expect.objectContaining({ id: created.id, conclusion: "success", writes: 2 }),
    ]);
  });

  it("lists the latest run of each name for a ref, with filters and pages", async () => {
    const other = f.gh.commit("acme/infra", "listing", { "b.tf": "b\n" });
    const make = (name: string, extra: Record<string, unknown> = {}) =>
      f.octokit.request("POST /repos/{owner}/{repo}/check-runs", {
        ...repo,
        name,
        head_sha: other,
        ...extra,
      });
    await make("flowgate/plan: db");
    const latest = await make("flowgate/plan: db", { status: "completed", conclusion: "failure" });
    await make("flowgate");
    f.gh.addCheckRun("acme/infra", { name: "ci", headSha: other, appId: 15368, conclusion: "success" });

    const { data } = await f.octokit.rest.checks.listForRef({ ...repo, ref: other });
    expect(data.total_count).toBe(3);
    expect(data.check_runs.find((r) => r.name === "flowgate/plan: db")?.id).toBe(latest.data.id);
    const byName = await f.octokit.rest.checks.listForRef({
      ...repo,
      ref: "listing",
      check_name: "flowgate",
    });
    expect(byName.data.check_runs.map((r) => r.name)).toEqual(["flowgate"]);
    const mine = await f.octokit.rest.checks.listForRef({
      ...repo,
      ref: other,
      app_id: f.gh.appId,
      status: "completed",
    });
    expect(mine.data.check_runs.map((r) => r.conclusion)).toEqual(["failure"]);
    const all = await f.octokit.rest.checks.listForRef({ ...repo, ref: other, filter: "all" });
    expect(all.data.total_count).toBe(4);
    const paged = await f.octokit.paginate(f.octokit.rest.checks.listForRef, {
      ...repo,
      ref: other,
      per_page: 1,
    });
    expect(paged).toHaveLength(3);
  });

  it("validates like GitHub: output bytes, actions, conclusion, statuses", async () => {
    expect(await refusal({ output: { title: "t", summary: "x".repeat(65_535) } })).toBe("");
    expect(await refusal({ output: { title: "t", summary: "x".repeat(65_536) } })).toMatch(
      /summary exceeds a maximum bytesize of 65535/,
    );
    // 30,000 three-byte characters: under the character limit, over the byte limit
    expect(await refusal({ output: { title: "t", summary: "s", text: "€".repeat(30_000) } })).toMatch(
      /text exceeds/,
    );
    expect(await refusal({ output: { title: "t" } })).toMatch(/summary/);
    const action = { label: "Approve", description: "d", identifier: "approve" };
    expect(await refusal({ actions: [action, action, action] })).toBe("");
    expect(await refusal({ actions: [action, action, action, action] })).toMatch(/maximum is 3/);
    expect(await refusal({ actions: [{ ...action, label: "x".repeat(21) }] })).toMatch(/label/);
    expect(await refusal({ actions: [{ ...action, description: "x".repeat(41) }] })).toMatch(/description/);
    expect(await refusal({ actions: [{ ...action, identifier: "x".repeat(21) }] })).toMatch(/identifier/);
    expect(await refusal({ status: "completed" })).toMatch(/conclusion/);
    expect(await refusal({ status: "waiting" })).toMatch(/Only GitHub Actions/);
    expect(await refusal({ conclusion: "stale" })).toMatch(/stale/);
    expect(await refusal({ conclusion: "action_required" })).toMatch(/details_url/);
    expect(await refusal({ head_sha: "f".repeat(40) })).toMatch(/No commit found/);
  });

  it("refuses updates to unknown runs and to other apps' runs", async () => {
    expect(
      await statusOf(f.octokit.rest.checks.update({ ...repo, check_run_id: 1, status: "in_progress" })),
    ).toBe(404);
    const foreign = f.gh.addCheckRun("acme/infra", { name: "ci", headSha: sha, appId: 15368 });
    expect(
      await statusOf(
        f.octokit.rest.checks.update({ ...repo, check_run_id: foreign.id, status: "in_progress" }),
      ),
    ).toBe(403);
  });
});
