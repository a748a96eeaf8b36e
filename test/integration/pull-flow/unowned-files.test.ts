import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import { issueCommentEvent } from "../../support/webhooks.js";
import { openPull, quiet, sticky, TWO_STACK_FILES, waitForAggregate } from "./support.js";

describe("infrastructure files that no stack owns", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it("hold the PR, naming the files, until an admin or maintainer approves", async () => {
    const repo = seedRepo(h.gh, TWO_STACK_FILES);
    h.gh.setPermission(repo.fullName, "alice", "write");
    h.gh.setPermission(repo.fullName, "wendy", "write");
    h.gh.setPermission(repo.fullName, "mona", "maintain");
    const { pull, head } = await openPull(h, repo, "cache", {
      "infra/prod/cache/main.tf": "# a new cache\n",
      "infra/prod/cache/prod.tfvars": "size = 3\n",
      "docs/cache.md": "# cache\n",
    });

    const held = await waitForAggregate(h, repo, head, "in_progress");
    expect(held.output.title).not.toMatch(/No stacks affected/);
    expect(held.output.title).toMatch(/infrastructure file\(s\) belong to no stack/);
    const comment = await h.waitFor(() => sticky(h, repo, pull.number)[0], "the sticky comment");
    expect(comment.body).toContain("`infra/prod/cache/main.tf`");
    expect(comment.body).toContain("`infra/prod/cache/prod.tfvars`");
    expect(comment.body).not.toContain("`docs/cache.md`");
    await quiet(h);
    expect(h.gh.dispatches(repo.fullName)).toEqual([]);

    // Write permission is not enough.
    const writer = issueCommentEvent(h.gh, pull, { login: "wendy", body: "/approve" });
    await h.gh.sendWebhook("issue_comment", writer);
    await h.waitFor(() => h.gh.reactions(writer.comment.id).length > 0, "wendy's approval to be answered");
    await quiet(h);
    expect(h.gh.reactions(writer.comment.id).map((r) => r.content)).toEqual(["confused"]);
    const still = h.gh.checkRuns(repo.fullName, { headSha: head, name: "flowgate" }).at(-1)!;
    expect(still.status).toBe("in_progress");
    expect(still.output.summary).toMatch(/wendy/);

    const maintainer = issueCommentEvent(h.gh, pull, { login: "mona", body: "/approve" });
    await h.gh.sendWebhook("issue_comment", maintainer);
    const passed = await waitForAggregate(h, repo, head, "success");
    expect(h.gh.reactions(maintainer.comment.id).map((r) => r.content)).toEqual(["+1"]);
    expect(passed.output.title).not.toMatch(/No stacks affected/);
  });
});
