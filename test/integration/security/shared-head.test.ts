/**
 * Issue: ways around the gate through commits and file lists. A check run belongs to a commit, so
 * two PRs with one head share the `flowgate` check; and a PR's file list depends on its base.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PullState, RepoState } from "../../support/fake-github/index.js";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import { pullRequestEvent } from "../../support/webhooks.js";

const STACKS = `apiVersion: flowgate/v1
kind: Stack
metadata: { name: prod-web }
spec: { kind: aws_s3, environment: production, dir: infra/prod/web }
`;

function flowgateCheck(h: Harness, repo: RepoState, sha: string) {
  return h.gh.checkRuns(repo.fullName, { headSha: sha, name: "flowgate" }).at(-1);
}

function verdictOf(h: Harness, repo: RepoState, sha: string): string | undefined {
  const check = flowgateCheck(h, repo, sha);
  if (!check) return undefined;
  return check.status === "completed" ? (check.conclusion ?? "none") : "pending";
}

/** Mallory's branch `evil`: a production change P, then a README-only commit T on top. */
function mallorysBranch(h: Harness) {
  const repo = seedRepo(h.gh, { ".github/flowgate/stacks.yml": STACKS, "infra/prod/web/main.tf": "# web\n" });
  h.gh.setPermission(repo.fullName, "mallory", "write");
  const p = h.gh.commit(repo.fullName, "evil", { "infra/prod/web/main.tf": "# wide open\n" }, "P", {
    author: "mallory",
  });
  const t = h.gh.commit(repo.fullName, "evil", { "README.md": "# typo fix\n" }, "T", { author: "mallory" });
  // base2 already holds P: a PR from evil into it shows only the README.
  repo.branches.set("base2", p);
  return { repo, p, t };
}

async function open(h: Harness, repo: RepoState, head: string, base: string): Promise<PullState> {
  const pull = h.gh.openPull({
    repo: repo.fullName,
    head: { ref: "evil", sha: head },
    base,
    user: "mallory",
  });
  await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "opened", pull));
  return pull;
}

describe("the check on a commit holds for every PR with that head, and a PR's files follow its base", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it("the held PR first, then the lenient one: the shared check stays held and names the held PR", async () => {
    const { repo, t } = mallorysBranch(h);
    const prod = await open(h, repo, t, "main");
    await h.waitFor(() => h.gh.dispatches(repo.fullName).length > 0, "the production plan");
    await h.waitFor(() => verdictOf(h, repo, t) === "pending", "PR#1 held");
    const lenient = await open(h, repo, t, "base2");
    await h.waitFor(
      () => h.gh.comments(repo.fullName, lenient.number).some((c) => c.body.includes("No stacks affected")),
      "PR#2's own evaluation",
    );
    await h.gh.settle();
    const check = flowgateCheck(h, repo, t)!;
    expect(verdictOf(h, repo, t)).toBe("pending");
    expect(check.output.title).toContain(`Held by #${prod.number} into main`);
    expect(check.output.summary).toContain(`#${prod.number} into \`main\``);
    // One check run on the commit, not one per PR: GitHub shows no older green one.
    expect(h.gh.checkRuns(repo.fullName, { headSha: t, name: "flowgate" })).toHaveLength(1);
  });

  it("the lenient PR first, then the held one: the green check turns held", async () => {
    const { repo, t } = mallorysBranch(h);
    await open(h, repo, t, "base2");
    await h.waitFor(() => verdictOf(h, repo, t) === "success", "PR#2 green on its own");
    const prod = await open(h, repo, t, "main");
    await h.waitFor(() => verdictOf(h, repo, t) === "pending", "the check held by PR#1");
    // PR#1 wrote last, with its own verdict: the strictest of the two.
    expect(flowgateCheck(h, repo, t)!.output.title).toBe("Waiting: prod-web (plan, approvals)");
    expect(prod.base.ref).toBe("main");
    expect(h.gh.checkRuns(repo.fullName, { headSha: t, name: "flowgate" })).toHaveLength(1);
  });

  it("when the held PR closes, the other PR's verdict is written again", async () => {
    const { repo, t } = mallorysBranch(h);
    const prod = await open(h, repo, t, "main");
    await h.waitFor(() => verdictOf(h, repo, t) === "pending", "PR#1 held");
    const lenient = await open(h, repo, t, "base2");
    await h.waitFor(
      () => h.gh.comments(repo.fullName, lenient.number).some((c) => c.body.includes("No stacks affected")),
      "PR#2's own evaluation",
    );
    await h.gh.settle();
    expect(verdictOf(h, repo, t)).toBe("pending");
    h.gh.closePull(repo.fullName, prod.number);
    await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "closed", prod));
    await h.waitFor(() => verdictOf(h, repo, t) === "success", "PR#2's own verdict once PR#1 is closed");
    expect(flowgateCheck(h, repo, t)!.output.title).toBe("No stacks affected");
  });

  it("changing a PR's base lists its files again: green into a branch that already holds the change, held once retargeted at main", async () => {
    const { repo, t } = mallorysBranch(h);
    const pull = await open(h, repo, t, "base2");
    await h.waitFor(() => verdictOf(h, repo, t) === "success", "green into base2");
    const oldBase = pull.base;
    pull.base = { ref: "main", sha: repo.branches.get("main")! };
    await h.gh.sendWebhook(
      "pull_request",
      pullRequestEvent(h.gh, "edited", pull, {
        changes: { base: { ref: { from: oldBase.ref }, sha: { from: oldBase.sha } } },
      }),
    );
    await h.waitFor(
      () => h.gh.dispatches(repo.fullName).some((d) => d.inputs.stack === "prod-web"),
      "a plan of prod-web after the retarget",
    );
    await h.waitFor(() => verdictOf(h, repo, t) === "pending", "the PR held into main");
    expect(flowgateCheck(h, repo, t)!.output.summary).toContain("prod-web");
  });
});
