import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import { issueCommentEvent, pullRequestEvent } from "../../support/webhooks.js";
import { comment, latestCheck, openPull, quiet, TWO_STACK_FILES, waitForAggregate } from "./support.js";

const PLAN_CHECK = "flowgate/plan: billing-db";

describe("a PR from a fork", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it("dispatches nothing by itself, refuses /plan from a writer and plans the commented head for a maintainer", async () => {
    const repo = seedRepo(h.gh, TWO_STACK_FILES);
    h.gh.setPermission(repo.fullName, "wendy", "write");
    h.gh.setPermission(repo.fullName, "mona", "maintain");
    const { pull, head } = await openPull(
      h,
      repo,
      "patch-1",
      { "infra/prod/billing-db/main.tf": "# forked\n" },
      { user: "mallory", fork: true },
    );

    const waiting = await h.waitFor(() => latestCheck(h, repo, head, PLAN_CHECK), "the plan check");
    expect(waiting.status).toBe("queued");
    expect(waiting.output.title).toBe("Waiting for /plan");
    expect(waiting.output.summary).toMatch(/fork/);
    await waitForAggregate(h, repo, head, "in_progress");
    await quiet(h);
    expect(h.gh.dispatches(repo.fullName)).toEqual([]);

    const refused = await comment(h, pull, "wendy", "/plan");
    const reply = await h.waitFor(
      () => h.gh.comments(repo.fullName, pull.number).find((c) => c.viaApp && c.body.startsWith("@wendy")),
      "the refusal",
    );
    expect(reply.body).toContain("admin or maintain permission (this PR is from a fork)");
    expect(h.gh.reactions(refused.id).map((r) => r.content)).toEqual(["confused"]);
    await quiet(h);
    expect(h.gh.dispatches(repo.fullName)).toEqual([]);

    const accepted = await comment(h, pull, "mona", "/plan billing-db");
    const dispatch = await h.waitFor(() => h.gh.dispatches(repo.fullName)[0], "the maintainer's plan");
    expect(dispatch.inputs.sha).toBe(head);
    expect(dispatch.inputs.stack).toBe("billing-db");
    expect(dispatch.ref).toBe("main");
    await h.waitFor(
      () => h.gh.reactions(accepted.id).some((r) => r.content === "+1"),
      "the maintainer's command acknowledged",
    );
    await quiet(h);
    expect(h.gh.dispatches(repo.fullName)).toHaveLength(1);
  });

  it("never plans a head pushed after the maintainer's /plan comment", async () => {
    const repo = seedRepo(h.gh, TWO_STACK_FILES);
    h.gh.setPermission(repo.fullName, "mona", "maintain");
    const { pull, head } = await openPull(
      h,
      repo,
      "patch-2",
      { "infra/prod/billing-db/main.tf": "# reviewed\n" },
      { user: "mallory", fork: true },
    );
    await waitForAggregate(h, repo, head, "in_progress");

    // Mona reads the PR at `head` and comments /plan; before flowgate hears of her comment, the
    // author pushes another commit and its `synchronize` is processed first.
    const late = issueCommentEvent(h.gh, pull, { login: "mona", body: "/plan" });
    (late.comment as { created_at: string }).created_at = new Date(Date.now() - 60_000)
      .toISOString()
      .replace(/\.\d{3}Z$/, "Z");
    const { after } = h.gh.pushToPull(repo.fullName, pull.number, {
      "infra/prod/billing-db/main.tf": "# something else\n",
    });
    await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "synchronize", pull, { before: head }));
    await waitForAggregate(h, repo, after, "in_progress");
    await h.gh.sendWebhook("issue_comment", late);

    const reply = await h.waitFor(
      () => h.gh.comments(repo.fullName, pull.number).find((c) => c.viaApp && c.body.startsWith("@mona")),
      "the answer to /plan",
    );
    expect(reply.body).toMatch(/head moved/);
    await quiet(h);
    expect(h.gh.dispatches(repo.fullName)).toEqual([]);
    expect(latestCheck(h, repo, after, PLAN_CHECK)?.output.title).toBe("Waiting for /plan");
  });
});
