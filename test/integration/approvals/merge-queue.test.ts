import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PullState, RepoState } from "../../support/fake-github/index.js";
import { type Harness, startHarness } from "../../support/harness.js";
import { mergeGroupEvent } from "../../support/webhooks.js";
import {
  CAREFUL,
  openPlannedPull,
  STACK_DIR,
  say,
  seedInfra,
  stackYaml,
  waitForReaction,
  waitForVerdict,
} from "./support.js";

describe("merge queues (SPEC §3)", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  /** Builds a merge group the way GitHub's merge queue does and sends `merge_group` `checks_requested`. */
  async function queue(repo: RepoState, pulls: PullState[]) {
    const group = h.gh.createMergeGroup(repo.fullName, { pulls });
    const delivery = await h.gh.sendWebhook(
      "merge_group",
      mergeGroupEvent(h.gh, repo, { headSha: group.headSha, baseRef: "main", pulls, baseSha: group.baseSha }),
    );
    expect(delivery.status).toBeLessThan(300);
    return h.waitFor(
      () => h.gh.checkRuns(repo.fullName, { headSha: group.headSha, name: "flowgate" }).at(-1),
      `flowgate on the merge group of ${pulls.map((p) => `#${p.number}`).join(", ")}`,
    );
  }

  it("passes the group's head only when every PR in the group passed", async () => {
    const repo = seedInfra(h, { ".github/flowgate/stacks.yml": `${stackYaml()}---\n${CAREFUL}` });
    const ready = await openPlannedPull(h, repo, {
      branch: "ready",
      files: { [`${STACK_DIR}/main.tf`]: "# v2\n" },
    });
    const approval = await say(h, ready, "bob", "/approve");
    expect(await waitForReaction(h, approval)).toBe("+1");
    await waitForVerdict(h, ready, "success");
    const waiting = await openPlannedPull(h, repo, {
      branch: "waiting",
      files: { [`${STACK_DIR}/vars.tf`]: "# x\n" },
    });
    await waitForVerdict(h, waiting, "pending", "0 of 1 approval");

    const alone = await queue(repo, [ready.pull]);
    expect(alone).toMatchObject({ status: "completed", conclusion: "success" });
    expect(alone.output.title).toBe(`PR #${ready.pull.number} passed flowgate`);

    const unready = await queue(repo, [waiting.pull]);
    expect(unready.conclusion).toBe("failure");
    expect(unready.output.summary).toContain(`PR #${waiting.pull.number}`);

    // One group holding both (GitHub batches PRs): the PR that did not pass fails it, whichever is last.
    const batch = await queue(repo, [waiting.pull, ready.pull]);
    expect(batch.conclusion).toBe("failure");
    expect(batch.output.title).toBe(
      `Not every PR in this merge group passed flowgate: #${waiting.pull.number}`,
    );

    const second = await say(h, waiting, "carol", "/approve");
    expect(await waitForReaction(h, second)).toBe("+1");
    await waitForVerdict(h, waiting, "success");
    const both = await queue(repo, [ready.pull, waiting.pull]);
    expect(both.conclusion).toBe("success");
    expect(both.output.title).toMatch(/^PRs #\d, #\d passed flowgate$/);
    expect(both.output.summary).toContain(`✅ PR #${ready.pull.number}: 1 stack ready`);
    expect(both.output.summary).toContain(`✅ PR #${waiting.pull.number}: 1 stack ready`);
  });
});
