import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import { issueCommentEvent } from "../../support/webhooks.js";
import {
  gateCheck,
  openPlannedPull,
  policyYaml,
  say,
  seedInfra,
  settle,
  stackYaml,
  waitForReaction,
  waitForReply,
  waitForSticky,
  waitForVerdict,
} from "./support.js";

/** No approvals needed, so the gate is the only thing that holds the PR. */
const UNPAUSED = policyYaml(`    pauseBetweenPreviewAndUpdateOrDestroy: false
`);

const SRE_GATE = `apiVersion: flowgate/v1
kind: Gate
metadata: { name: sre-approval }
spec:
  default: closed
  window: 2s
  openers: { users: [sre-alice] }
`;

const CLOSED_BY_DEFAULT = "gate sre-approval: closed by default";

/** Webhooks the test sent (the fake's own, for runs and merges, are marked `auto`). */
const sentByTest = (h: Harness) => h.gh.deliveries.filter((d) => !d.auto).length;

describe("gates (SPEC §2.1 Gate, §3.2 /open-gate)", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it("holds the PR; a non-opener is refused; an opener opens it for its window, after which the PR is held again with no webhook", async () => {
    const repo = seedInfra(h, {
      ".github/flowgate/stacks.yml": `${stackYaml("  gates: [sre-approval]\n")}---\n${UNPAUSED}---\n${SRE_GATE}`,
    });
    const pr = await openPlannedPull(h, repo);
    await h.waitFor(
      () => gateCheck(h, repo, pr.head)?.output.title === "Waiting: billing-db (gate sre-approval)",
      "the PR held by the gate alone",
    );
    await waitForVerdict(h, pr, "pending", CLOSED_BY_DEFAULT);
    await waitForSticky(h, pr, "sre-approval closed");

    const refused = await say(h, pr, "bob", "/open-gate sre-approval");
    expect(await waitForReaction(h, refused)).toBe("confused");
    await waitForReply(
      h,
      pr,
      "bob",
      "you may not open gate `sre-approval`: bob is not among the openers of gate sre-approval: users [sre-alice]",
    );
    await settle(300);
    await waitForVerdict(h, pr, "pending", CLOSED_BY_DEFAULT);

    const opened = await say(h, pr, "sre-alice", "/open-gate sre-approval");
    expect(await waitForReaction(h, opened)).toBe("+1");
    await waitForReply(h, pr, "sre-alice", "gate `sre-approval` is open for 2s");
    const open = await waitForVerdict(h, pr, "success");
    expect(open.output.title).toBe("1 stack ready");
    await waitForSticky(h, pr, "sre-approval open");
    const webhooks = sentByTest(h);

    // The window ends: flowgate re-evaluates on its own.
    await waitForVerdict(h, pr, "pending", CLOSED_BY_DEFAULT, pr.pull.head.sha, 6_000);
    await waitForSticky(h, pr, "sre-approval closed");
    expect(sentByTest(h)).toBe(webhooks);
  });

  it("a signed /open-gate delivery replayed under a new delivery id after a /close-gate changes nothing", async () => {
    const repo = seedInfra(h, {
      ".github/flowgate/stacks.yml": `${stackYaml("  gates: [sre-approval]\n")}---\n${UNPAUSED}---\n${SRE_GATE}`,
    });
    const pr = await openPlannedPull(h, repo);
    await waitForVerdict(h, pr, "pending", CLOSED_BY_DEFAULT);
    const open = await say(h, pr, "sre-alice", "/open-gate sre-approval 1h");
    expect(await waitForReaction(h, open)).toBe("+1");
    await waitForVerdict(h, pr, "success");
    const close = await say(h, pr, "sre-alice", "/close-gate sre-approval");
    expect(await waitForReaction(h, close)).toBe("+1");
    await waitForVerdict(h, pr, "pending", /gate sre-approval: closed by @\u200bsre-alice/);

    // The same signed comment again, as an attacker who kept the delivery would send it.
    const replay = await h.gh.sendWebhook("issue_comment", issueCommentEvent(h.gh, pr.pull, open));
    expect(replay.status).toBeLessThan(300);
    await waitForReply(h, pr, "sre-alice", "is older than the last change of gate `sre-approval`");
    await settle(300);
    await waitForVerdict(h, pr, "pending", /gate sre-approval: closed by @\u200bsre-alice/);
  });

  it("opens for an explicit duration instead of the window", async () => {
    const repo = seedInfra(h, {
      ".github/flowgate/stacks.yml": `${stackYaml("  gates: [sre-approval]\n")}---\n${UNPAUSED}---\n${SRE_GATE}`,
    });
    const pr = await openPlannedPull(h, repo);
    await waitForVerdict(h, pr, "pending", CLOSED_BY_DEFAULT);

    const opened = await say(h, pr, "sre-alice", "/open-gate sre-approval 3s");
    expect(await waitForReaction(h, opened)).toBe("+1");
    await waitForReply(h, pr, "sre-alice", "gate `sre-approval` is open for 3s");
    await waitForVerdict(h, pr, "success");
    const openedAt = Date.now();
    const webhooks = sentByTest(h);

    // Past the 2s window, still open; closed once the 3s are over.
    await new Promise((r) => setTimeout(r, Math.max(0, openedAt + 2_400 - Date.now())));
    await waitForVerdict(h, pr, "success");
    await waitForVerdict(h, pr, "pending", CLOSED_BY_DEFAULT, pr.pull.head.sha, 6_000);
    expect(Date.now() - openedAt).toBeGreaterThan(2_000);
    expect(sentByTest(h)).toBe(webhooks);
  });

  it("an org: gate from the organization's .github repository is shared by two repositories", async () => {
    seedRepo(
      h.gh,
      {
        ".github/flowgate/gates.yml": `apiVersion: flowgate/v1
kind: Gate
metadata: { name: freeze }
spec:
  default: closed
  openers: { users: [sre-alice] }
`,
      },
      ".github",
    );
    const config = {
      ".github/flowgate/stacks.yml": `${stackYaml("  gates: [org:freeze]\n")}---\n${UNPAUSED}`,
    };
    const one = await openPlannedPull(h, seedInfra(h, config, "infra"));
    const two = await openPlannedPull(h, seedInfra(h, config, "infra-two"));
    await waitForVerdict(h, one, "pending", "gate org:freeze: closed by default");
    await waitForVerdict(h, two, "pending", "gate org:freeze: closed by default");

    const opened = await say(h, one, "sre-alice", "/open-gate org:freeze");
    expect(await waitForReaction(h, opened)).toBe("+1");
    await waitForReply(h, one, "sre-alice", "gate `org:freeze` is open until someone changes it");
    await waitForVerdict(h, one, "success");
    // The other repository's PR got no event of its own.
    await waitForVerdict(h, two, "success");

    // Closed again from an issue of the second repository: both PRs are held.
    const issue = h.gh.openIssue(two.repo.fullName, { title: "Freeze for the migration", user: "sre-alice" });
    const closed = await say(h, { repo: two.repo, pull: issue }, "sre-alice", "/close-gate org:freeze");
    expect(await waitForReaction(h, closed)).toBe("+1");
    await waitForReply(h, { repo: two.repo, pull: issue }, "sre-alice", "gate `org:freeze` is closed");
    await waitForVerdict(h, one, "pending", "gate org:freeze: closed by @");
    await waitForVerdict(h, two, "pending", "gate org:freeze: closed by @");

    // From either repository, only its openers may open it.
    const intruder = await say(h, two, "bob", "/open-gate org:freeze");
    expect(await waitForReaction(h, intruder)).toBe("confused");
    await waitForReply(h, two, "bob", "bob is not among the openers of gate org:freeze: users [sre-alice]");
    await settle(300);
    await waitForVerdict(h, one, "pending", "gate org:freeze: closed by @");
    await waitForVerdict(h, two, "pending", "gate org:freeze: closed by @");
  });
});
