import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../../support/harness.js";
import { pullRequestEvent } from "../../support/webhooks.js";
import {
  finishPlan,
  type OpenedPull,
  openPull,
  policyYaml,
  push,
  say,
  seedInfra,
  settle,
  stackYaml,
  waitForReaction,
  waitForSticky,
  waitForVerdict,
} from "./support.js";

const DEV = "dev-app";
const DEV_FILE = "infra/dev/app/main.tf";
const FAST = policyYaml(
  `    pauseBetweenPreviewAndUpdateOrDestroy: false
    autoMerge: { enabled: true, when: "plan.destroy == 0" }
`,
  "development-fast",
  "development",
);
const CONFIG = {
  ".github/flowgate/stacks.yml": `${stackYaml("", DEV, "infra/dev/app", "development")}---\n${FAST}`,
};
const SAFE = { add: 1, change: 1, destroy: 0, replace: 0 };

describe("auto-merge (SPEC §3 step 7)", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  const openDev = (repo: ReturnType<typeof seedInfra>, options: Parameters<typeof openPull>[2] = {}) =>
    openPull(h, repo, { files: { [DEV_FILE]: "# app v2\n" }, ...options });
  const merges = (pr: OpenedPull) => h.gh.merges(pr.repo.fullName).filter((m) => m.number === pr.pull.number);
  const requests = (pr: OpenedPull) =>
    h.gh.autoMergeRequests(pr.repo.fullName).filter((r) => r.number === pr.pull.number);

  it("merges a safe change directly, passing the head SHA, when the PR is mergeable", async () => {
    const repo = seedInfra(h, CONFIG);
    const pr = await openDev(repo);
    await finishPlan(h, repo, pr.head, SAFE, DEV);

    const merge = await h.waitFor(() => merges(pr)[0], "the merge");
    expect(merge).toMatchObject({ expectedHeadSha: pr.head, viaAutoMerge: false, mergedBy: h.gh.botLogin });
    expect(h.gh.pull(repo.fullName, pr.pull.number).merged).toBe(true);
    expect(requests(pr)).toEqual([]);
  });

  it("enables GitHub auto-merge with the expected head when the protected branch is not yet mergeable; GitHub merges once CI passes", async () => {
    const repo = seedInfra(h, CONFIG);
    h.gh.protectBranch(repo.fullName, "main", { requiredChecks: ["flowgate", "ci/tests"] });
    const pr = await openDev(repo);
    await finishPlan(h, repo, pr.head, SAFE, DEV);

    const enabled = await h.waitFor(
      () => requests(pr).find((r) => r.action === "enable"),
      "auto-merge enabled",
    );
    expect(enabled).toMatchObject({ expectedHeadOid: pr.head, error: null });
    expect(merges(pr)).toEqual([]);

    h.gh.addCheckRun(repo.fullName, { name: "ci/tests", headSha: pr.head, conclusion: "success" });
    const merge = await h.waitFor(() => merges(pr)[0], "GitHub's auto-merge");
    expect(merge.viaAutoMerge).toBe(true);
  });

  it("turns auto-merge off when a commit is pushed, and enables it again for the new head once it passes", async () => {
    const repo = seedInfra(h, CONFIG);
    h.gh.protectBranch(repo.fullName, "main", { requiredChecks: ["flowgate", "ci/tests"] });
    const pr = await openDev(repo);
    await finishPlan(h, repo, pr.head, SAFE, DEV);
    await h.waitFor(() => requests(pr).find((r) => r.action === "enable"), "auto-merge enabled");

    const next = await push(h, pr, { [DEV_FILE]: "# app v3\n" });
    await h.waitFor(
      () => requests(pr).find((r) => r.action === "disable"),
      "auto-merge disabled after the push",
    );
    expect(h.gh.pull(repo.fullName, pr.pull.number).autoMerge).toBeNull();

    await finishPlan(h, repo, next, SAFE, DEV);
    const again = await h.waitFor(
      () => requests(pr).find((r) => r.action === "enable" && r.expectedHeadOid === next),
      "auto-merge enabled for the new head",
    );
    expect(again.error).toBeNull();
    expect(merges(pr)).toEqual([]);
  });

  it("turns auto-merge off when the flowgate:no-automerge label is added after it was enabled", async () => {
    const repo = seedInfra(h, CONFIG);
    h.gh.protectBranch(repo.fullName, "main", { requiredChecks: ["flowgate", "ci/tests"] });
    const pr = await openDev(repo);
    await finishPlan(h, repo, pr.head, SAFE, DEV);
    await h.waitFor(() => requests(pr).find((r) => r.action === "enable"), "auto-merge enabled");

    h.gh.setLabels(repo.fullName, pr.pull.number, ["flowgate:no-automerge"]);
    await h.gh.sendWebhook(
      "pull_request",
      pullRequestEvent(h.gh, "labeled", pr.pull, { label: "flowgate:no-automerge", sender: "alice" }),
    );
    await h.waitFor(
      () => requests(pr).find((r) => r.action === "disable"),
      "auto-merge disabled by the label",
    );
    h.gh.addCheckRun(repo.fullName, { name: "ci/tests", headSha: pr.head, conclusion: "success" });
    await settle();
    expect(merges(pr)).toEqual([]);
  });

  it("does not merge a change that destroys a resource", async () => {
    const repo = seedInfra(h, CONFIG);
    const pr = await openDev(repo);
    await finishPlan(h, repo, pr.head, { add: 0, change: 0, destroy: 1, replace: 0 }, DEV);

    await waitForVerdict(
      h,
      pr,
      "success",
      "Auto-merge: no — dev-app: autoMerge.when does not hold: plan.destroy == 0",
    );
    await waitForSticky(h, pr, "Auto-merge: no");
    await settle();
    expect(merges(pr)).toEqual([]);
    expect(requests(pr)).toEqual([]);
  });

  it("the flowgate:no-automerge label prevents it; removing the label merges", async () => {
    const repo = seedInfra(h, CONFIG);
    const pr = await openDev(repo, { labels: ["flowgate:no-automerge"] });
    await finishPlan(h, repo, pr.head, SAFE, DEV);

    await waitForVerdict(h, pr, "success", "Auto-merge: no — label flowgate:no-automerge");
    await settle();
    expect(merges(pr)).toEqual([]);

    h.gh.setLabels(repo.fullName, pr.pull.number, []);
    await h.gh.sendWebhook(
      "pull_request",
      pullRequestEvent(h.gh, "unlabeled", pr.pull, { label: "flowgate:no-automerge", sender: "alice" }),
    );
    const merge = await h.waitFor(() => merges(pr)[0], "the merge once the label is gone");
    expect(merge.expectedHeadSha).toBe(pr.head);
  });

  it("never merges a PR from a fork", async () => {
    const repo = seedInfra(h, CONFIG);
    h.gh.setPermission(repo.fullName, "carol", "maintain");
    const pr = await openDev(repo, { fork: true, author: "outsider" });
    await waitForVerdict(h, pr, "pending", "PR from a fork: never planned automatically");

    const plan = await say(h, pr, "carol", "/plan");
    expect(await waitForReaction(h, plan)).toBe("+1");
    await finishPlan(h, repo, pr.head, SAFE, DEV);
    await waitForVerdict(
      h,
      pr,
      "success",
      "Auto-merge: no — never for a fork or an author without write permission",
    );
    await settle();
    expect(merges(pr)).toEqual([]);
    expect(requests(pr)).toEqual([]);
  });

  it("never merges a PR whose author has no write permission", async () => {
    const repo = seedInfra(h, CONFIG);
    const pr = await openDev(repo, { author: "dave" });
    await finishPlan(h, repo, pr.head, SAFE, DEV);

    await waitForVerdict(
      h,
      pr,
      "success",
      "Auto-merge: no — never for a fork or an author without write permission",
    );
    await settle();
    expect(merges(pr)).toEqual([]);
    expect(requests(pr)).toEqual([]);
  });
  it("never merges a PR whose author is a Bot without write permission (issue 14)", async () => {
    const repo = seedInfra(h, CONFIG);
    const pr = await openDev(repo, { author: "renovate[bot]" });
    await finishPlan(h, repo, pr.head, SAFE, DEV);

    await waitForVerdict(
      h,
      pr,
      "success",
      "Auto-merge: no — never for a fork or an author without write permission",
    );
    await settle();
    expect(merges(pr)).toEqual([]);
    expect(requests(pr)).toEqual([]);
  });
});
