import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import { openPull, quiet, sticky, TWO_STACK_FILES, waitForAggregate } from "./support.js";

function manyFiles(count: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < count; i++) files[`docs/generated/page-${String(i).padStart(4, "0")}.md`] = `# ${i}\n`;
  return files;
}

describe("a PR larger than GitHub lists", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it("fails explicitly when it changes more than 3,000 files, never as 'no stacks affected'", async () => {
    const repo = seedRepo(h.gh, TWO_STACK_FILES);
    h.gh.setPermission(repo.fullName, "alice", "write");
    // The stack file sorts last, so it is beyond what GitHub lists.
    const { pull, head } = await openPull(h, repo, "huge", {
      ...manyFiles(3000),
      "infra/prod/network/main.tf": "# hidden\n",
    });

    const failed = await waitForAggregate(h, repo, head, "failure");
    expect(failed.output.title).toMatch(/changes 3001 files but GitHub lists only 3000/);
    expect(failed.output.title).not.toMatch(/No stacks affected/);
    const comment = await h.waitFor(() => sticky(h, repo, pull.number)[0], "the sticky comment");
    expect(comment.body).toMatch(/split the PR/);
    expect(comment.body).not.toMatch(/No stacks affected/);
    await quiet(h);
    expect(h.gh.dispatches(repo.fullName)).toEqual([]);
  });

  it("judges a PR of exactly 3,000 files by its files", async () => {
    const repo = seedRepo(h.gh, TWO_STACK_FILES);
    h.gh.setPermission(repo.fullName, "alice", "write");
    const { head } = await openPull(h, repo, "big", {
      ...manyFiles(2999),
      "infra/prod/network/main.tf": "# wider\n",
    });

    const dispatch = await h.waitFor(() => h.gh.dispatches(repo.fullName)[0], "the plan");
    expect(dispatch.inputs.stack).toBe("network");
    const waiting = await waitForAggregate(h, repo, head, "in_progress");
    expect(waiting.output.title).not.toMatch(/GitHub lists only/);
  });
});
