import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../../support/harness.js";
import { issueCommentEvent, memberEvent, pullRequestEvent } from "../../support/webhooks.js";
import {
  CAREFUL,
  finishPlan,
  gateCheck,
  nextWholeSecond,
  openPlannedPull,
  openPull,
  policyYaml,
  push,
  reactionsOf,
  repliesTo,
  STACK_FILE,
  say,
  seedInfra,
  settle,
  stackYaml,
  sticky,
  verdict,
  waitForReaction,
  waitForReply,
  waitForSticky,
  waitForVerdict,
} from "./support.js";

describe("approvals by /approve comments (SPEC §3.1, §3.2)", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it("refuses the author's own /approve and counts a reviewer's", async () => {
    const repo = seedInfra(h, { ".github/flowgate/stacks.yml": `${stackYaml()}---\n${CAREFUL}` });
    const pr = await openPlannedPull(h, repo);
    await waitForVerdict(h, pr, "pending", "0 of 1 approval");

    const own = await say(h, pr, "alice", "/approve");
    expect(await waitForReaction(h, own)).toBe("confused");
    await waitForReply(h, pr, "alice", "not counted: author of the PR");
    const held = await waitForVerdict(h, pr, "pending", "@alice (comment) not counted: author of the PR");
    expect(held.output.summary).toContain("0 of 1 approval");
    await waitForSticky(h, pr, "@alice (comment) not counted: author of the PR");

    const review = await say(h, pr, "bob", "Looks right.\n/approve");
    expect(await waitForReaction(h, review)).toBe("+1");
    const passed = await waitForVerdict(h, pr, "success", "1 of 1 approval (bob)");
    expect(passed.output.title).toBe("1 stack ready");
    // Who counted and who did not, and why, is what a person reads in the sticky comment.
    const body = (await waitForSticky(h, pr, "1 of 1 (@bob)")).body;
    expect(body).toContain("@alice (comment) not counted: author of the PR");
  });

  it("counts the author when the rule says allowAuthor", async () => {
    const policy = policyYaml(`    pauseBetweenPreviewAndUpdateOrDestroy: true
    approvalRules:
      - approvers: { minRequired: 1, allowAuthor: true }
`);
    const repo = seedInfra(h, { ".github/flowgate/stacks.yml": `${stackYaml()}---\n${policy}` });
    const pr = await openPlannedPull(h, repo);
    const own = await say(h, pr, "alice", "/approve");
    expect(await waitForReaction(h, own)).toBe("+1");
    await waitForVerdict(h, pr, "success", "1 of 1 approval (alice)");
  });

  it("refuses someone who pushed a commit to the PR", async () => {
    const repo = seedInfra(h, { ".github/flowgate/stacks.yml": `${stackYaml()}---\n${CAREFUL}` });
    const pr = await openPlannedPull(h, repo);
    const next = await push(h, pr, { [STACK_FILE]: "# carol's fix\n" }, "carol");
    await finishPlan(h, repo, next);

    const pusher = await say(h, pr, "carol", "/approve");
    expect(await waitForReaction(h, pusher)).toBe("confused");
    await waitForReply(h, pr, "carol", "not counted: pushed a commit to the PR");
    await waitForVerdict(h, pr, "pending", "@carol (comment) not counted: pushed a commit to the PR", next);
    const reviewer = await say(h, pr, "bob", "/approve");
    expect(await waitForReaction(h, reviewer)).toBe("+1");
    await waitForVerdict(h, pr, "success", "1 of 1 approval (bob)", next);
  });

  it("refuses the author of a commit a workflow pushed for them (the push's sender is a bot)", async () => {
    const repo = seedInfra(h, { ".github/flowgate/stacks.yml": `${stackYaml()}---\n${CAREFUL}` });
    const pr = await openPlannedPull(h, repo);
    // carol's commit reaches alice's PR through a workflow with GITHUB_TOKEN: GitHub names the bot as sender.
    const { before, after } = h.gh.pushToPull(
      repo.fullName,
      pr.pull.number,
      { [STACK_FILE]: "# carol's\n" },
      {
        author: "carol",
      },
    );
    await h.gh.sendWebhook(
      "pull_request",
      pullRequestEvent(h.gh, "synchronize", pr.pull, { before, after, sender: "github-actions[bot]" }),
    );
    await finishPlan(h, repo, after);
    const sneaky = await say(h, pr, "carol", "/approve");
    expect(await waitForReaction(h, sneaky)).toBe("confused");
    await waitForReply(h, pr, "carol", "not counted: pushed a commit to the PR");
    await waitForVerdict(h, pr, "pending", "@carol (comment) not counted: pushed a commit to the PR", after);
  });

  it("stops counting an approval as soon as GitHub says the approver lost write access (member event)", async () => {
    const repo = seedInfra(h, { ".github/flowgate/stacks.yml": `${stackYaml()}---\n${CAREFUL}` });
    const pr = await openPlannedPull(h, repo);
    await say(h, pr, "bob", "/approve");
    await waitForVerdict(h, pr, "success", "1 of 1 approval (bob)");
    h.gh.setPermission(repo.fullName, "bob", "read");
    await h.gh.sendWebhook("member", memberEvent(h.gh, repo, { login: "bob", action: "edited" }));
    await waitForVerdict(h, pr, "pending", "@bob (comment) not counted: needs write permission, has read");
  });

  it("drops an approval when the PR's base branch changes", async () => {
    const repo = seedInfra(h, { ".github/flowgate/stacks.yml": `${stackYaml()}---\n${CAREFUL}` });
    h.gh.commit(repo.fullName, "release", { "RELEASE.md": "# release\n" });
    const pr = await openPlannedPull(h, repo);
    const approval = await say(h, pr, "bob", "/approve");
    expect(await waitForReaction(h, approval)).toBe("+1");
    await waitForVerdict(h, pr, "success", "1 of 1 approval (bob)");

    await nextWholeSecond(approval.createdAt);
    const from = h.gh.changeBase(repo.fullName, pr.pull.number, "release");
    await h.gh.sendWebhook(
      "pull_request",
      pullRequestEvent(h.gh, "edited", pr.pull, {
        changes: { base: { ref: { from: from.from }, sha: { from: from.sha } } },
      }),
    );
    await waitForVerdict(h, pr, "pending", "@bob (comment) not counted: given before the base changed");
    await nextWholeSecond(new Date().toISOString());
    const again = await say(h, pr, "bob", "/approve");
    expect(await waitForReaction(h, again)).toBe("+1");
    await waitForVerdict(h, pr, "success", "1 of 1 approval (bob)");
  });

  it("refuses a reviewer without write permission, saying so", async () => {
    const repo = seedInfra(h, { ".github/flowgate/stacks.yml": `${stackYaml()}---\n${CAREFUL}` });
    const pr = await openPlannedPull(h, repo);

    const readOnly = await say(h, pr, "dave", "/approve");
    expect(await waitForReaction(h, readOnly)).toBe("confused");
    const reply = await waitForReply(h, pr, "dave", "needs write permission");
    expect(reply.body).toContain("`billing-db`: not counted: needs write permission, has read");
    await waitForVerdict(h, pr, "pending", "@dave (comment) not counted: needs write permission, has read");
    await waitForSticky(h, pr, "@dave (comment) not counted: needs write permission, has read");

    const writer = await say(h, pr, "carol", "/approve billing-db");
    expect(await waitForReaction(h, writer)).toBe("+1");
    await waitForVerdict(h, pr, "success", "1 of 1 approval (carol)");
  });

  it("refuses an approval given before the plan finished and counts one given after", async () => {
    const repo = seedInfra(h, { ".github/flowgate/stacks.yml": `${stackYaml()}---\n${CAREFUL}` });
    const pr = await openPull(h, repo);
    await waitForVerdict(h, pr, "pending", "plan");

    const early = await say(h, pr, "bob", "/approve");
    expect(await waitForReaction(h, early)).toBe("confused");
    await waitForReply(h, pr, "bob", "not counted: given before the plan finished");

    // GitHub stamps comments to the second and flowgate compares at that precision: let the plan
    // finish in a later second than the early approval, so "before" is unambiguous.
    await nextWholeSecond(early.createdAt);
    await finishPlan(h, repo, pr.head);
    const waiting = await waitForVerdict(
      h,
      pr,
      "pending",
      "@bob (comment) not counted: given before the plan finished",
    );
    expect(waiting.output.summary).toContain("0 of 1 approval");

    // Right after the plan's result arrived, in the same second as far as GitHub's timestamps tell.
    const onTime = await say(h, pr, "bob", "/approve");
    expect(await waitForReaction(h, onTime)).toBe("+1");
    await waitForVerdict(h, pr, "success", "1 of 1 approval (bob)");
  });

  it("with minRequired 2, one person approving twice is not enough; two people are", async () => {
    const policy = policyYaml(`    pauseBetweenPreviewAndUpdateOrDestroy: true
    approvalRules:
      - approvers: { minRequired: 2 }
`);
    const repo = seedInfra(h, { ".github/flowgate/stacks.yml": `${stackYaml()}---\n${policy}` });
    const pr = await openPlannedPull(h, repo);
    await waitForVerdict(h, pr, "pending", "0 of 2 approvals");

    const first = await say(h, pr, "bob", "/approve");
    expect(await waitForReaction(h, first)).toBe("+1");
    await waitForVerdict(h, pr, "pending", "1 of 2 approvals (bob)");
    const again = await say(h, pr, "bob", "/approve\n\nreally, ship it");
    expect(await waitForReaction(h, again)).toBe("+1");
    await settle(300);
    expect(verdict(gateCheck(h, repo, pr.head))).toBe("pending");
    expect(gateCheck(h, repo, pr.head)?.output.summary).toContain("1 of 2 approvals (bob)");
    await waitForSticky(h, pr, "1 of 2 (@bob)");

    const second = await say(h, pr, "carol", "/approve");
    expect(await waitForReaction(h, second)).toBe("+1");
    await waitForVerdict(h, pr, "success", "2 of 2 approvals (bob, carol)");
    await waitForSticky(h, pr, "2 of 2 (@bob, @carol)");
  });

  it("ignores an edited comment, a command in a quote or a code block, and a bot's comment", async () => {
    const repo = seedInfra(h, { ".github/flowgate/stacks.yml": `${stackYaml()}---\n${CAREFUL}` });
    const pr = await openPlannedPull(h, repo);
    await waitForVerdict(h, pr, "pending", "0 of 1 approval");
    h.gh.setPermission(repo.fullName, "renovate[bot]", "write");

    const edited = h.gh.addComment(repo.fullName, pr.pull.number, { login: "bob", body: "lgtm" });
    edited.body = "/approve";
    await h.gh.sendWebhook("issue_comment", issueCommentEvent(h.gh, pr.pull, edited, "edited"));
    const quoted = await say(h, pr, "bob", "> /approve\n\nthat is what I would write if I agreed");
    const fenced = await say(h, pr, "carol", "To approve, write:\n\n```\n/approve\n```");
    const tilde = await say(h, pr, "carol", "~~~\n/approve billing-db\n~~~");
    const bot = await say(h, pr, "renovate[bot]", "/approve", "Bot");
    // Something that is read, so we know the comments before it were seen.
    const help = await say(h, pr, "erin", "/flowgate help");
    await waitForReaction(h, help);
    await settle();

    for (const c of [edited, quoted, fenced, tilde, bot]) expect(reactionsOf(h, c)).toEqual([]);
    expect(repliesTo(h, pr, "bob")).toEqual([]);
    expect(repliesTo(h, pr, "carol")).toEqual([]);
    expect(repliesTo(h, pr, "renovate[bot]")).toEqual([]);
    const check = gateCheck(h, repo, pr.head)!;
    expect(verdict(check)).toBe("pending");
    expect(check.output.summary).toContain("0 of 1 approval");
    expect(check.output.summary).not.toContain("not counted");
    expect(sticky(h, pr)?.body).toContain("0 of 1");
  });

  it("answers /flowgate help with the commands and an unknown /flowgate command with help", async () => {
    const repo = seedInfra(h, { ".github/flowgate/stacks.yml": `${stackYaml()}---\n${CAREFUL}` });
    const pr = await openPull(h, repo);

    const help = await say(h, pr, "dave", "/flowgate help");
    expect(await waitForReaction(h, help)).toBe("+1");
    const reply = await waitForReply(h, pr, "dave", "flowgate commands");
    for (const command of [
      "/plan [stack ...]",
      "/approve [stack ...]",
      "/reject [stack ...] [-- reason]",
      "/apply [stack ...]",
      "/open-gate NAME [DURATION]",
      "/close-gate NAME [DURATION]",
      '/override --reason "TEXT"',
      "/retry [stack ...]",
      "/cancel [stack ...]",
      "/flowgate help",
    ])
      expect(reply.body).toContain(command);

    const unknown = await say(h, pr, "erin", "/flowgate foo");
    expect(await waitForReaction(h, unknown)).toBe("confused");
    const answer = await waitForReply(h, pr, "erin", "is not a command");
    expect(answer.body).toContain('/flowgate "foo" is not a command');
    expect(answer.body).toContain("flowgate commands");
    expect(answer.body).toContain("/open-gate NAME [DURATION]");
  });
});
