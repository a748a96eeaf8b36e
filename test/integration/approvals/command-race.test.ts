import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ApprovalEvent } from "../../../src/engine/approvals.js";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import { issueCommentEvent } from "../../support/webhooks.js";
import { openPull, stackDoc, waitForAggregate } from "../pull-flow/support.js";

describe("an /approve that arrives while another is being recorded", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it("is counted by the next evaluation, not answered before it was recorded", async () => {
    const repo = seedRepo(h.gh, {
      ".github/flowgate/stacks.yml": stackDoc("billing-db", "production", "infra/prod/billing-db"),
      ".github/actions/flowgate-summarize/action.yml": "name: flowgate-summarize\n",
      "infra/prod/billing-db/main.tf": "# db\n",
    });
    h.gh.setPermission(repo.fullName, "alice", "write");
    h.gh.setPermission(repo.fullName, "bob", "write");
    h.gh.setPermission(repo.fullName, "mona", "maintain");
    const { pull, head } = await openPull(h, repo, "action", {
      ".github/actions/flowgate-summarize/index.cjs": "console.log('changed')\n",
    });
    await waitForAggregate(h, repo, head, "in_progress");

    // While bob's /approve is being recorded, mona's arrives and is stored: the evaluation that
    // records bob's reads the PR again and finds mona's request, not yet recorded as an approval.
    const pulls = h.app.runtime.pulls;
    const addEvent = pulls.addEvent.bind(pulls);
    let monaSent = false;
    pulls.addEvent = async (repoId: number, n: number, event: ApprovalEvent) => {
      if (event.login === "bob" && !monaSent) {
        monaSent = true;
        await h.gh.sendWebhook(
          "issue_comment",
          issueCommentEvent(h.gh, pull, { login: "mona", body: "/approve" }),
        );
        await h.waitFor(
          async () => (await pulls.pendingRequests(repoId, n)).some((r) => r.login === "mona"),
          "mona's request stored",
        );
      }
      return addEvent(repoId, n, event);
    };
    await h.gh.sendWebhook(
      "issue_comment",
      issueCommentEvent(h.gh, pull, { login: "bob", body: "/approve" }),
    );

    const passed = await waitForAggregate(h, repo, head, "success");
    expect(monaSent).toBe(true);
    expect(passed.output.summary).toContain(
      "1 of 1 approval (mona); refused: bob (needs maintain permission, has write)",
    );
  });
});
