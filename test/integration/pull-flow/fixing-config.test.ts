import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import { issueCommentEvent } from "../../support/webhooks.js";
import { openPull, PRODUCTION_POLICY, quiet, stackDoc, sticky, waitForAggregate } from "./support.js";

const BROKEN_POLICY = PRODUCTION_POLICY.replace("minRequired: 2", "minRequired: two");

describe("while the default branch's configuration is invalid", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it("a PR touching only .github/flowgate/ is validated at its head and passes once a maintainer approves", async () => {
    const repo = seedRepo(h.gh, {
      ".github/flowgate/stacks.yml": stackDoc("billing-db", "production", "infra/prod/billing-db"),
      ".github/flowgate/policies.yml": BROKEN_POLICY,
      "infra/prod/billing-db/main.tf": "# db\n",
    });
    h.gh.setPermission(repo.fullName, "alice", "write");
    h.gh.setPermission(repo.fullName, "mona", "maintain");

    // A fix that is itself still wrong fails, naming the problem at the PR head.
    const still = await openPull(h, repo, "half-fix", {
      ".github/flowgate/policies.yml": BROKEN_POLICY.replace("two", "-1"),
    });
    const stillFailing = await waitForAggregate(h, repo, still.head, "failure");
    expect(stillFailing.output.title).toMatch(/at the PR head: \.github\/flowgate\/policies\.yml:\d+:\d+ /);

    const fix = await openPull(h, repo, "fix", { ".github/flowgate/policies.yml": PRODUCTION_POLICY });
    const waiting = await waitForAggregate(h, repo, fix.head, "in_progress");
    expect(waiting.output.title).toMatch(/configuration change needs approval/);
    expect(waiting.output.summary).toMatch(/validated at (its|the PR) head/);
    expect(waiting.output.summary).toContain(".github/flowgate/policies.yml:");
    const comment = await h.waitFor(() => sticky(h, repo, fix.pull.number)[0], "the sticky comment");
    expect(comment.body).toMatch(/validated at (its|the PR) head/);

    await h.gh.sendWebhook(
      "issue_comment",
      issueCommentEvent(h.gh, fix.pull, { login: "mona", body: "/approve" }),
    );
    const passed = await waitForAggregate(h, repo, fix.head, "success");
    expect(passed.output.summary).toMatch(/validated at (its|the PR) head/);
    await quiet(h);
    expect(h.gh.dispatches(repo.fullName)).toEqual([]);
    expect(h.gh.merges(repo.fullName)).toEqual([]);
  });
});
