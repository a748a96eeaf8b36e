import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../../support/harness.js";
import { checkRunRequestedActionEvent, reviewEvent } from "../../support/webhooks.js";
import {
  CAREFUL,
  finishPlan,
  gateCheck,
  nextWholeSecond,
  type OpenedPull,
  openPlannedPull,
  planCheck,
  policyYaml,
  push,
  say,
  seedInfra,
  settle,
  stackYaml,
  verdict,
  waitForReaction,
  waitForReply,
  waitForSticky,
  waitForVerdict,
} from "./support.js";

async function review(
  h: Harness,
  pr: OpenedPull,
  login: string,
  state: "APPROVED" | "CHANGES_REQUESTED",
  commitId?: string,
) {
  const delivery = await h.gh.sendWebhook(
    "pull_request_review",
    reviewEvent(h.gh, pr.pull, { login, state, ...(commitId ? { commitId } : {}) }),
  );
  expect(delivery.status).toBeLessThan(300);
}

async function clickApprove(h: Harness, pr: OpenedPull, login: string, sha = pr.pull.head.sha) {
  const check = planCheck(h, pr.repo, sha).at(-1)!;
  expect(check.actions.map((a) => a.identifier)).toContain("approve");
  const delivery = await h.gh.sendWebhook(
    "check_run",
    checkRunRequestedActionEvent(h.gh, check, { login, identifier: "approve" }),
  );
  expect(delivery.status).toBeLessThan(300);
}

describe("reviews, rejections, teams and the Approve button (SPEC §3.1)", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it("drops approvals given on an older head once a commit is pushed", async () => {
    const repo = seedInfra(h, { ".github/flowgate/stacks.yml": `${stackYaml()}---\n${CAREFUL}` });
    const pr = await openPlannedPull(h, repo);
    const first = pr.head;

    await review(h, pr, "bob", "APPROVED");
    const byComment = await say(h, pr, "carol", "/approve");
    expect(await waitForReaction(h, byComment)).toBe("+1");
    await waitForVerdict(h, pr, "success", /2 of 1 approval \((carol, bob|bob, carol)\)/, first);

    const second = await push(h, pr);
    await finishPlan(h, repo, second);
    const held = await waitForVerdict(h, pr, "pending", "0 of 1 approval", second);
    const stale = `given on ${first.slice(0, 7)}, head is now ${second.slice(0, 7)}`;
    expect(held.output.summary).toContain(`@bob (review) not counted: ${stale}`);
    expect(held.output.summary).toContain(`@carol (comment) not counted: ${stale}`);
    await waitForSticky(h, pr, `@bob (review) not counted: ${stale}`);

    await review(h, pr, "bob", "APPROVED");
    await waitForVerdict(h, pr, "success", "1 of 1 approval (bob)", second);
  });

  it("counts members of fromTeams and refuses others", async () => {
    h.gh.addTeam("acme", "platform-team", ["erin"]);
    const policy = policyYaml(`    pauseBetweenPreviewAndUpdateOrDestroy: true
    approvalRules:
      - approvers: { minRequired: 1, fromTeams: [platform-team] }
`);
    const repo = seedInfra(h, { ".github/flowgate/stacks.yml": `${stackYaml()}---\n${policy}` });
    const pr = await openPlannedPull(h, repo);

    const outsider = await say(h, pr, "bob", "/approve");
    expect(await waitForReaction(h, outsider)).toBe("confused");
    await waitForReply(h, pr, "bob", "not counted: not in fromTeams [platform-team]");
    // Markdown-escaped in the check, so it renders as written.
    await waitForVerdict(
      h,
      pr,
      "pending",
      "@bob (comment) not counted: not in fromTeams \\[platform-team\\]",
    );

    const member = await say(h, pr, "erin", "/approve");
    expect(await waitForReaction(h, member)).toBe("+1");
    await waitForVerdict(h, pr, "success", "1 of 1 approval (erin)");
    await waitForSticky(h, pr, "1 of 1 (@erin)");
  });

  it("/reject blocks until the same person approves; another approver does not lift it", async () => {
    const repo = seedInfra(h, { ".github/flowgate/stacks.yml": `${stackYaml()}---\n${CAREFUL}` });
    const pr = await openPlannedPull(h, repo);

    // Only an eligible approver's rejection blocks: the author's is refused.
    const own = await say(h, pr, "alice", "/reject -- not yet");
    expect(await waitForReaction(h, own)).toBe("confused");
    await waitForReply(h, pr, "alice", "not counted: author of the PR");
    await waitForVerdict(h, pr, "pending", "0 of 1 approval");

    const reject = await say(h, pr, "bob", "/reject -- needs a maintenance window");
    expect(await waitForReaction(h, reject)).toBe("+1");
    const failed = await waitForVerdict(h, pr, "failure", "@bob rejected: needs a maintenance window");
    expect(failed.output.title).toContain("rejected by @bob");
    await waitForSticky(h, pr, "rejected by @bob");

    const other = await say(h, pr, "carol", "/approve");
    expect(await waitForReaction(h, other)).toBe("+1");
    await waitForVerdict(h, pr, "failure", "1 of 1 approval (carol)");

    const lift = await say(h, pr, "bob", "/approve");
    expect(await waitForReaction(h, lift)).toBe("+1");
    await waitForVerdict(h, pr, "success", /2 of 1 approval \((carol, bob|bob, carol)\)/);
  });

  it("a CHANGES_REQUESTED review by an eligible approver blocks until that person approves; one without write permission does not", async () => {
    const repo = seedInfra(h, { ".github/flowgate/stacks.yml": `${stackYaml()}---\n${CAREFUL}` });
    const pr = await openPlannedPull(h, repo);

    await review(h, pr, "dave", "CHANGES_REQUESTED");
    await review(h, pr, "bob", "APPROVED");
    await waitForVerdict(h, pr, "success", "1 of 1 approval (bob)");

    await review(h, pr, "carol", "CHANGES_REQUESTED");
    const failed = await waitForVerdict(h, pr, "failure", "rejected by carol");
    expect(failed.output.summary).not.toContain("rejected by dave");
    expect(failed.output.title).toBe("billing-db: rejected by @carol");

    await review(h, pr, "carol", "APPROVED");
    await waitForVerdict(h, pr, "success", /2 of 1 approval \((carol, bob|bob, carol)\)/);
  });

  it("the author dismissing a reviewer's rejection does not lift it; a dismissal by someone else does", async () => {
    const repo = seedInfra(h, { ".github/flowgate/stacks.yml": `${stackYaml()}---\n${CAREFUL}` });
    const pr = await openPlannedPull(h, repo);
    await review(h, pr, "bob", "APPROVED");
    await waitForVerdict(h, pr, "success", "1 of 1 approval (bob)");
    const rejection = h.gh.addReview(repo.fullName, pr.pull.number, {
      login: "carol",
      state: "CHANGES_REQUESTED",
    });
    await h.gh.sendWebhook("pull_request_review", reviewEvent(h.gh, pr.pull, rejection));
    await waitForVerdict(h, pr, "failure", "rejected by carol");

    // alice wrote the PR and has write access, so GitHub lets her dismiss carol's review.
    await h.gh.sendWebhook(
      "pull_request_review",
      reviewEvent(h.gh, pr.pull, rejection, "dismissed", "alice"),
    );
    await settle(300);
    expect(verdict(gateCheck(h, repo, pr.head))).toBe("failure");
    expect(gateCheck(h, repo, pr.head)?.output.title).toBe("billing-db: rejected by @carol");
    const audit = await h.app.runtime.audit.since(new Date(Date.now() - 60_000));
    expect(audit).toContainEqual(
      expect.objectContaining({ type: "rejection-dismissal-refused", actor: "alice" }),
    );

    // A maintainer's dismissal stands.
    await h.gh.sendWebhook("pull_request_review", reviewEvent(h.gh, pr.pull, rejection, "dismissed", "erin"));
    await waitForVerdict(h, pr, "success", "1 of 1 approval (bob)");

    // The rejection's signed `submitted` delivery, replayed under a new delivery id, does not bring it back.
    await h.gh.sendWebhook("pull_request_review", reviewEvent(h.gh, pr.pull, rejection));
    await settle(300);
    expect(verdict(gateCheck(h, repo, pr.head))).toBe("success");
  });

  it("a click replayed under a new delivery id does not lift the clicker's later /reject", async () => {
    const repo = seedInfra(h, { ".github/flowgate/stacks.yml": `${stackYaml()}---\n${CAREFUL}` });
    const pr = await openPlannedPull(h, repo);
    const check = planCheck(h, repo, pr.head).at(-1)!;
    const click = checkRunRequestedActionEvent(h.gh, check, { login: "bob", identifier: "approve" });
    await h.gh.sendWebhook("check_run", click);
    await waitForVerdict(h, pr, "success", "1 of 1 approval (bob)");
    // GitHub stamps comments to the second: reject in a later second than the click.
    await nextWholeSecond(new Date().toISOString());
    await say(h, pr, "bob", "/reject -- wait, the bucket policy is wrong");
    await waitForVerdict(h, pr, "failure", "rejected by bob");
    await h.gh.sendWebhook("check_run", click);
    await settle(300);
    expect(verdict(gateCheck(h, repo, pr.head))).toBe("failure");
  });

  it("the Approve button counts as an approval by whoever clicked, under the same rules", async () => {
    const repo = seedInfra(h, { ".github/flowgate/stacks.yml": `${stackYaml()}---\n${CAREFUL}` });
    const pr = await openPlannedPull(h, repo);
    const first = pr.head;

    await clickApprove(h, pr, "alice");
    await waitForVerdict(h, pr, "pending", "@alice (button) not counted: author of the PR");
    await clickApprove(h, pr, "dave");
    await waitForVerdict(h, pr, "pending", "@dave (button) not counted: needs write permission, has read");

    // A click on the plan check of a head that is no longer the PR's head does not count there.
    const second = await push(h, pr);
    await finishPlan(h, repo, second);
    await waitForVerdict(h, pr, "pending", "0 of 1 approval", second);
    await clickApprove(h, pr, "carol", first);
    await settle();
    expect(verdict(gateCheck(h, repo, second))).toBe("pending");
    expect(gateCheck(h, repo, second)?.output.summary).toContain(
      `@carol (button) not counted: given on ${first.slice(0, 7)}, head is now ${second.slice(0, 7)}`,
    );

    await clickApprove(h, pr, "bob", second);
    await waitForVerdict(h, pr, "success", "1 of 1 approval (bob)", second);
    await waitForSticky(h, pr, "1 of 1 (@bob)");
    // Approved: the button goes away.
    await h.waitFor(
      () => planCheck(h, repo, second).at(-1)?.actions.length === 0,
      "the Approve button removed",
    );
  });
});
