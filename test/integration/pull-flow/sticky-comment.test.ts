import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, planResult, seedRepo, startHarness } from "../../support/harness.js";
import { pullRequestEvent } from "../../support/webhooks.js";
import { quiet, sticky, TWO_STACK_FILES } from "./support.js";

const MARKER = "<!-- flowgate:sticky -->";

describe("the sticky comment", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it("is one comment edited in place, and a look-alike written by someone else is never touched", async () => {
    const repo = seedRepo(h.gh, TWO_STACK_FILES);
    h.gh.setPermission(repo.fullName, "alice", "write");
    const head = h.gh.commit(repo.fullName, "resize", { "infra/prod/billing-db/main.tf": "# v1\n" });
    const pull = h.gh.openPull({ repo: repo.fullName, head: { ref: "resize", sha: head }, user: "alice" });
    const forgedBody = `${MARKER}\n### flowgate ✅ 1 stack ready`;
    const forged = h.gh.addComment(repo.fullName, pull.number, { login: "alice", body: forgedBody });
    const otherBot = h.gh.addComment(repo.fullName, pull.number, {
      login: "other-app[bot]",
      body: `${MARKER}\nnot flowgate`,
      userType: "Bot",
    });
    await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "opened", pull));

    const first = await h.waitFor(() => sticky(h, repo, pull.number)[0], "flowgate's own comment");
    expect(first.id).not.toBe(forged.id);
    expect(first.body).toContain(`Head \`${head.slice(0, 7)}\``);
    const dispatch = await h.waitFor(() => h.gh.dispatches(repo.fullName)[0], "the plan");
    await h.gh.completeRun(repo.fullName, dispatch.runId, {
      conclusion: "success",
      result: planResult(dispatch),
    });
    await h.waitFor(
      () => sticky(h, repo, pull.number)[0]?.body.includes("+1 ~2 -0"),
      "the plan in the comment",
    );

    const { before, after } = h.gh.pushToPull(repo.fullName, pull.number, {
      "infra/prod/billing-db/main.tf": "# v2\n",
    });
    await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "synchronize", pull, { before, after }));
    h.gh.setLabels(repo.fullName, pull.number, ["flowgate:no-automerge"]);
    await h.gh.sendWebhook(
      "pull_request",
      pullRequestEvent(h.gh, "labeled", pull, { label: "flowgate:no-automerge" }),
    );
    await h.waitFor(
      () => sticky(h, repo, pull.number)[0]?.body.includes(`Head \`${after.slice(0, 7)}\``),
      "the comment to follow the new head",
    );
    await quiet(h);

    const mine = sticky(h, repo, pull.number);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.id).toBe(first.id);
    expect(h.gh.comments(repo.fullName, pull.number).filter((c) => c.viaApp)).toHaveLength(1);
    expect(h.gh.comments(repo.fullName, pull.number).find((c) => c.id === forged.id)?.body).toBe(forgedBody);
    expect(h.gh.comments(repo.fullName, pull.number).find((c) => c.id === otherBot.id)?.body).toBe(
      `${MARKER}\nnot flowgate`,
    );
    const edits = h.gh.requests.filter((r) => r.method === "PATCH" && r.path.includes("/issues/comments/"));
    expect(edits.length).toBeGreaterThan(0);
    expect(edits.every((r) => r.path.endsWith(`/issues/comments/${first.id}`))).toBe(true);
  });
});
