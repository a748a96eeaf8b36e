import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PullState } from "../../support/fake-github/index.js";
import { captureWebhooks, type Fixture, startFixture } from "./setup.js";

let f: Fixture;
let pull: PullState;
beforeEach(async () => {
  f = await startFixture();
  const sha = f.gh.commit("acme/infra", "change", { "a.tf": "a\n" });
  pull = f.gh.openPull({ repo: "acme/infra", head: { ref: "change", sha }, user: "alice" });
});
afterEach(() => f.gh.stop());

const ENABLE = `mutation($id: ID!, $oid: GitObjectID!, $mergeMethod: PullRequestMergeMethod!) {
  enablePullRequestAutoMerge(input: { pullRequestId: $id, expectedHeadOid: $oid, mergeMethod: $mergeMethod }) {
    pullRequest { id autoMergeRequest { enabledAt mergeMethod } }
  }
}`;

async function enable(oid = pull.head.sha): Promise<string> {
  try {
    await f.octokit.graphql(ENABLE, { id: pull.nodeId, oid, mergeMethod: "SQUASH" });
    return "";
  } catch (cause) {
    return (cause as Error).message;
  }
}

describe("GitHub auto-merge over GraphQL", () => {
  it("refuses without branch protection, with a stale head, and when the pull could merge now", async () => {
    expect(await enable()).toMatch(/Protected branch rules not configured/);
    f.gh.protectBranch("acme/infra", "main", { requiredChecks: ["flowgate"] });
    expect(await enable("0".repeat(40))).toMatch(/expected head OID/);
    f.gh.addCheckRun("acme/infra", {
      name: "flowgate",
      headSha: pull.head.sha,
      appId: f.gh.appId,
      conclusion: "success",
    });
    expect(await enable()).toMatch(/Pull request is in clean status/);
    expect(f.gh.autoMergeRequests("acme/infra").map((r) => r.error !== null)).toEqual([true, true, true]);
    expect(pull.autoMerge).toBeNull();
  });

  it("enables with variables or literals, and merges once the required check passes", async () => {
    const hooks = await captureWebhooks();
    f.gh.setWebhookTarget(hooks.url);
    try {
      f.gh.protectBranch("acme/infra", "main", { requiredChecks: ["flowgate"] });
      const result = await f.octokit.graphql<{ enablePullRequestAutoMerge: { pullRequest: { id: string } } }>(
        `mutation { enablePullRequestAutoMerge(input: { pullRequestId: "${pull.nodeId}", expectedHeadOid: "${pull.head.sha}", mergeMethod: MERGE }) { clientMutationId } }`,
      );
      expect(result.enablePullRequestAutoMerge.pullRequest.id).toBe(pull.nodeId);
      const { data } = await f.octokit.rest.pulls.get({
        owner: "acme",
        repo: "infra",
        pull_number: pull.number,
      });
      expect(data.auto_merge).toMatchObject({
        merge_method: "merge",
        enabled_by: { login: "flowgate[bot]" },
      });

      const { data: check } = await f.octokit.rest.checks.create({
        owner: "acme",
        repo: "infra",
        name: "flowgate",
        head_sha: pull.head.sha,
        status: "in_progress",
      });
      await f.gh.settle();
      expect(pull.merged).toBe(false);
      await f.octokit.rest.checks.update({
        owner: "acme",
        repo: "infra",
        check_run_id: check.id,
        conclusion: "success",
      });
      await f.gh.settle();
      expect(pull.merged).toBe(true);
      expect(f.gh.merges("acme/infra")).toEqual([
        expect.objectContaining({ number: pull.number, viaAutoMerge: true, method: "merge" }),
      ]);
      expect(hooks.received.map((h) => h.headers["x-github-event"])).toEqual(["pull_request", "push"]);
    } finally {
      await hooks.close();
    }
  });

  it("disables auto-merge and records both calls", async () => {
    f.gh.protectBranch("acme/infra", "main", { requiredChecks: ["flowgate"] });
    expect(await enable()).toBe("");
    await f.octokit.graphql(
      "mutation($input: DisablePullRequestAutoMergeInput!) { disablePullRequestAutoMerge(input: $input) { clientMutationId } }",
      { input: { pullRequestId: pull.nodeId } },
    );
    expect(pull.autoMerge).toBeNull();
    expect(
      f.gh.autoMergeRequests("acme/infra").map((r) => [r.action, r.expectedHeadOid, r.mergeMethod]),
    ).toEqual([
      ["enable", pull.head.sha, "SQUASH"],
      ["disable", null, null],
    ]);
  });

  it("answers unknown node ids with a NOT_FOUND error", async () => {
    pull = { ...pull, nodeId: "PR_nope" };
    expect(await enable()).toMatch(/Could not resolve to a node/);
  });
});
