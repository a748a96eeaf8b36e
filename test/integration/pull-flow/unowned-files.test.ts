import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import { comment, openPull, quiet, sticky, TWO_STACK_FILES, waitForAggregate } from "./support.js";

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

    const check = await waitForAggregate(h, repo, head, "in_progress");
    expect(check.output.title).not.toMatch(/No stacks affected/);
    expect(check.output.title).toMatch(/infrastructure file\(s\) belong to no stack/);
    // SPEC §2.1: the check the merge box links to names the files too, not only the sticky comment.
    expect(check.output.summary).toContain("`infra/prod/cache/main.tf`");
    expect(check.output.summary).toContain("`infra/prod/cache/prod.tfvars`");
    expect(check.output.summary).not.toContain("`docs/cache.md`");
    const held = await h.waitFor(() => sticky(h, repo, pull.number)[0], "the sticky comment");
    expect(held.body).toContain("`infra/prod/cache/main.tf`");
    expect(held.body).toContain("`infra/prod/cache/prod.tfvars`");
    expect(held.body).not.toContain("`docs/cache.md`");
    await quiet(h);
    expect(h.gh.dispatches(repo.fullName)).toEqual([]);

    // Write permission is not enough.
    const writer = await comment(h, pull, "wendy", "/approve");
    await h.waitFor(() => h.gh.reactions(writer.id).length > 0, "wendy's approval to be answered");
    await quiet(h);
    expect(h.gh.reactions(writer.id).map((r) => r.content)).toEqual(["confused"]);
    const still = h.gh.checkRuns(repo.fullName, { headSha: head, name: "flowgate" }).at(-1)!;
    expect(still.status).toBe("in_progress");
    expect(still.output.summary).toMatch(/wendy/);

    const maintainer = await comment(h, pull, "mona", "/approve");
    const passed = await waitForAggregate(h, repo, head, "success");
    expect(passed.output.title).toBe(
      "No stack affected; 2 infrastructure file(s) that no stack owns approved",
    );
    expect(h.gh.reactions(maintainer.id).map((r) => r.content)).toEqual(["+1"]);
    const approved = await h.waitFor(() => {
      const c = sticky(h, repo, pull.number)[0];
      return c?.body.includes("✅") ? c : undefined;
    }, "the sticky comment to pass");
    expect(approved.body).toContain("`infra/prod/cache/main.tf`");
    expect(approved.body).toContain("approved by @mona");
    expect(approved.body).not.toContain("No stacks affected by this change");
  });
});
