import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { captureWebhooks, type Fixture, startFixture, statusOf } from "./setup.js";

let f: Fixture;
beforeEach(async () => {
  f = await startFixture();
});
afterEach(() => f.gh.stop());

const repo = { owner: "acme", repo: "infra" };

function openChange(files: Record<string, string | null>, branch = "change") {
  const sha = f.gh.commit("acme/infra", branch, files, "change", { author: "alice" });
  return f.gh.openPull({ repo: "acme/infra", head: { ref: branch, sha }, user: "alice", labels: ["infra"] });
}

describe("pull requests", () => {
  it("answers a pull with head, base, labels and computed mergeability", async () => {
    const pull = openChange({ "infra/prod/db/main.tf": "changed\n" });
    const { data } = await f.octokit.rest.pulls.get({ ...repo, pull_number: pull.number });
    expect(data).toMatchObject({
      number: pull.number,
      node_id: pull.nodeId,
      state: "open",
      draft: false,
      merged: false,
      mergeable: true,
      mergeable_state: "clean",
      changed_files: 1,
      commits: 1,
      head: { ref: "change", sha: pull.head.sha },
      base: { ref: "main", sha: f.gh.repo("acme/infra").branches.get("main") },
      user: { login: "alice", type: "User" },
    });
    expect(data.labels.map((l) => l.name)).toEqual(["infra"]);
    expect(await statusOf(f.octokit.rest.pulls.get({ ...repo, pull_number: 999 }))).toBe(404);
  });

  it("pages open pulls with Link headers that Octokit follows", async () => {
    for (let i = 0; i < 5; i++) openChange({ [`f${i}.tf`]: `${i}\n` }, `b${i}`);
    f.gh.closePull("acme/infra", 1);
    const page = await f.octokit.rest.pulls.list({ ...repo, state: "open", per_page: 2 });
    expect(page.data.map((p) => p.number)).toEqual([5, 4]);
    expect(page.headers.link).toMatch(/rel="next"/);
    const all = await f.octokit.paginate(f.octokit.rest.pulls.list, { ...repo, state: "open", per_page: 2 });
    expect(all.map((p) => p.number)).toEqual([5, 4, 3, 2]);
  });

  it("lists at most 3,000 changed files, 100 per page", async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 3005; i++) files[`stacks/s${String(i).padStart(4, "0")}/main.tf`] = `${i}\n`;
    const pull = openChange(files);
    const page = await f.octokit.rest.pulls.listFiles({ ...repo, pull_number: pull.number, per_page: 250 });
    expect(page.data).toHaveLength(100);
    const all = await f.octokit.paginate(f.octokit.rest.pulls.listFiles, {
      ...repo,
      pull_number: pull.number,
      per_page: 100,
    });
    expect(all).toHaveLength(3000);
    expect(all[0]).toMatchObject({ filename: "stacks/s0000/main.tf", status: "added", additions: 1 });
  });

  it("lists commits and each reviewer's reviews", async () => {
    const pull = openChange({ "a.tf": "a\n" });
    const first = pull.head.sha;
    const { before, after } = f.gh.pushToPull(
      "acme/infra",
      pull.number,
      { "b.tf": "b\n" },
      { author: "bob" },
    );
    expect(before).toBe(first);
    expect(pull.pushers).toEqual(["alice", "bob"]);
    f.gh.addReview("acme/infra", pull.number, { login: "carol", state: "APPROVED" });
    const { data: commits } = await f.octokit.rest.pulls.listCommits({ ...repo, pull_number: pull.number });
    expect(commits.map((c) => c.sha)).toEqual([first, after]);
    const { data: reviews } = await f.octokit.rest.pulls.listReviews({ ...repo, pull_number: pull.number });
    expect(reviews).toEqual([
      expect.objectContaining({
        state: "APPROVED",
        commit_id: after,
        user: expect.objectContaining({ login: "carol" }),
      }),
    ]);
  });
});

describe("merging", () => {
  it("refuses a moved head (409) and an unmergeable pull (405) without changing anything", async () => {
    const pull = openChange({ "a.tf": "a\n" });
    const mainBefore = f.gh.repo("acme/infra").branches.get("main");
    expect(
      await statusOf(f.octokit.rest.pulls.merge({ ...repo, pull_number: pull.number, sha: "0".repeat(40) })),
    ).toBe(409);
    f.gh.setMergeable("acme/infra", pull.number, false);
    expect(
      await statusOf(f.octokit.rest.pulls.merge({ ...repo, pull_number: pull.number, sha: pull.head.sha })),
    ).toBe(405);
    f.gh.setMergeable("acme/infra", pull.number, "computed");
    f.gh.protectBranch("acme/infra", "main", { requiredChecks: ["flowgate"] });
    const blocked = await f.octokit.rest.pulls.get({ ...repo, pull_number: pull.number });
    expect(blocked.data.mergeable_state).toBe("blocked");
    expect(await statusOf(f.octokit.rest.pulls.merge({ ...repo, pull_number: pull.number }))).toBe(405);
    expect(f.gh.repo("acme/infra").branches.get("main")).toBe(mainBefore);
    expect(f.gh.merges("acme/infra")).toEqual([]);
  });

  it("reports conflicting changes as dirty", async () => {
    const pull = openChange({ "README.md": "theirs\n" });
    f.gh.commit("acme/infra", "main", { "README.md": "ours\n" });
    const { data } = await f.octokit.rest.pulls.get({ ...repo, pull_number: pull.number });
    expect(data).toMatchObject({ mergeable: false, mergeable_state: "dirty" });
  });

  it("merges: a commit lands on the base, the pull closes, closed and push webhooks go out", async () => {
    const hooks = await captureWebhooks();
    f.gh.setWebhookTarget(hooks.url);
    try {
      const pull = openChange({ "infra/prod/db/main.tf": "new\n" });
      const before = f.gh.repo("acme/infra").branches.get("main") ?? "";
      const { data } = await f.octokit.rest.pulls.merge({
        ...repo,
        pull_number: pull.number,
        sha: pull.head.sha,
        merge_method: "squash",
      });
      expect(data.merged).toBe(true);
      const main = f.gh.repo("acme/infra").branches.get("main");
      expect(main).toBe(data.sha);
      const { data: content } = await f.octokit.rest.repos.getContent({
        ...repo,
        path: "infra/prod/db/main.tf",
      });
      expect(Buffer.from((content as { content: string }).content, "base64").toString()).toBe("new\n");
      const { data: merged } = await f.octokit.rest.pulls.get({ ...repo, pull_number: pull.number });
      expect(merged).toMatchObject({ state: "closed", merged: true, merge_commit_sha: data.sha });
      expect(f.gh.merges("acme/infra")).toEqual([
        expect.objectContaining({
          number: pull.number,
          sha: data.sha,
          method: "squash",
          expectedHeadSha: pull.head.sha,
        }),
      ]);
      const { data: pulls } = await f.octokit.rest.repos.listPullRequestsAssociatedWithCommit({
        ...repo,
        commit_sha: data.sha,
      });
      expect(pulls.map((p) => p.number)).toEqual([pull.number]);

      await f.gh.settle();
      expect(hooks.received.map((h) => h.headers["x-github-event"])).toEqual(["pull_request", "push"]);
      const [closed, push] = hooks.received.map((h) => h.json);
      expect(closed).toMatchObject({
        action: "closed",
        number: pull.number,
        pull_request: { merged: true, merge_commit_sha: data.sha },
        installation: { id: 11 },
      });
      expect(push).toMatchObject({ ref: "refs/heads/main", before, after: data.sha });
      expect((push?.commits as { modified: string[] }[] | undefined)?.[0]?.modified).toEqual([
        "infra/prod/db/main.tf",
      ]);
    } finally {
      await hooks.close();
    }
  });

  it("lists the open pulls that contain a commit not yet on the default branch", async () => {
    const pull = openChange({ "a.tf": "a\n" });
    const { data } = await f.octokit.rest.repos.listPullRequestsAssociatedWithCommit({
      ...repo,
      commit_sha: pull.head.sha,
    });
    expect(data.map((p) => p.number)).toEqual([pull.number]);
  });
});
