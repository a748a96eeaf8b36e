import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import { latestCheck, openPull, quiet, sticky, TWO_STACK_FILES, waitForAggregate } from "./support.js";

describe("a PR that touches no stack", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it("passes flowgate with 'No stacks affected', with no plan check and no dispatch", async () => {
    const repo = seedRepo(h.gh, TWO_STACK_FILES);
    h.gh.setPermission(repo.fullName, "alice", "write");
    const { pull, head } = await openPull(h, repo, "docs", { "docs/guide.md": "# how we work\n" });

    const check = await waitForAggregate(h, repo, head, "success");
    expect(check.output.title).toBe("No stacks affected");
    await quiet(h);
    expect(h.gh.checkRuns(repo.fullName, { headSha: head }).map((c) => c.name)).toEqual(["flowgate"]);
    expect(latestCheck(h, repo, head, "flowgate")?.conclusion).toBe("success");
    expect(h.gh.dispatches(repo.fullName)).toEqual([]);
    const comments = sticky(h, repo, pull.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain("No stacks affected");
  });
});
