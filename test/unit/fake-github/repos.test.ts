import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Fixture, INSTALLATION, startFixture, statusOf } from "./setup.js";

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(() => f.gh.stop());

const repo = { owner: "acme", repo: "infra" };

/** The tree SHA real git computes for these files. */
function gitWriteTree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "fake-gh-git-"));
  try {
    execFileSync("git", ["init", "-q"], { cwd: dir });
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(dir, dirname(path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    execFileSync("git", ["add", "."], { cwd: dir });
    return execFileSync("git", ["write-tree"], { cwd: dir }).toString().trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("contents and trees", () => {
  it("serves a file as base64 with its git blob SHA, a folder as entries, 404 when missing", async () => {
    const { data: file } = await f.octokit.rest.repos.getContent({ ...repo, path: "infra/prod/db/main.tf" });
    expect(Array.isArray(file)).toBe(false);
    const single = file as { type: string; content: string; sha: string; encoding: string };
    expect(single.type).toBe("file");
    expect(single.encoding).toBe("base64");
    expect(Buffer.from(single.content, "base64").toString()).toBe('resource "x" "y" {}\n');
    expect(single.sha).toBe(
      execFileSync("git", ["hash-object", "--stdin"], { input: 'resource "x" "y" {}\n' }).toString().trim(),
    );

    const { data: dir } = await f.octokit.rest.repos.getContent({ ...repo, path: "infra/prod" });
    expect(dir).toEqual([expect.objectContaining({ name: "db", path: "infra/prod/db", type: "dir" })]);
    expect(await statusOf(f.octokit.rest.repos.getContent({ ...repo, path: ".github/flowgate" }))).toBe(404);
  });

  it("reads contents at a ref: a branch, a commit, and the default branch by default", async () => {
    const before = f.gh.repo("acme/infra").branches.get("main") ?? "";
    const after = f.gh.commit("acme/infra", "main", { ".github/flowgate/stacks.yml": "kind: Stack\n" });
    const at = async (ref?: string) =>
      statusOf(
        f.octokit.rest.repos.getContent({
          ...repo,
          path: ".github/flowgate/stacks.yml",
          ...(ref ? { ref } : {}),
        }),
      );
    expect(await at()).toBe(0);
    expect(await at(after)).toBe(0);
    expect(await at(before)).toBe(404);
    const raw = await f.octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
      ...repo,
      path: ".github/flowgate/stacks.yml",
      mediaType: { format: "raw" },
    });
    expect(raw.data).toBe("kind: Stack\n");
  });

  it("answers If-None-Match with a 304 that is not charged", async () => {
    const first = await f.octokit.rest.repos.getContent({ ...repo, path: "README.md" });
    const etag = first.headers.etag ?? "";
    expect(etag).toMatch(/^"[0-9a-f]+"$/);
    const charged = f.gh.countRequests({ charged: true });
    const again = await fetch(`${f.url}/repos/acme/infra/contents/README.md`, {
      headers: { authorization: `token ${f.token}`, "if-none-match": etag },
    });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    expect(again.headers.get("etag")).toBe(etag);
    expect(f.gh.countRequests({ charged: true })).toBe(charged);
    expect(f.gh.requests.at(-1)).toMatchObject({ status: 304, charged: false });

    f.gh.commit("acme/infra", "main", { "README.md": "# changed\n" });
    const changed = await fetch(`${f.url}/repos/acme/infra/contents/README.md`, {
      headers: { authorization: `token ${f.token}`, "if-none-match": etag },
    });
    expect(changed.status).toBe(200);
  });

  it("with etagPerToken, an ETag holds only for the token it was given to, as GitHub's", async () => {
    const own = await startFixture({ etagPerToken: true });
    try {
      const ask = (token: string, etag = "") =>
        fetch(`${own.url}/repos/acme/infra/pulls?state=open`, {
          headers: { authorization: `token ${token}`, "if-none-match": etag },
        });
      const etag = (await ask(own.token)).headers.get("etag") ?? "";
      expect((await ask(own.token, etag)).status).toBe(304);
      const renewed = own.gh.issueToken(INSTALLATION);
      const again = await ask(renewed, etag);
      expect(again.status).toBe(200);
      expect(own.gh.requests.at(-1)).toMatchObject({ status: 200, charged: true });
      expect((await ask(renewed, again.headers.get("etag") ?? "")).status).toBe(304);
    } finally {
      await own.gh.stop();
    }
  });

  it("lists a recursive tree whose SHA matches git's, with ETag support", async () => {
    const head = f.gh.repo("acme/infra").commits.get(f.gh.repo("acme/infra").branches.get("main") ?? "");
    const { data, headers } = await f.octokit.rest.git.getTree({ ...repo, tree_sha: "main", recursive: "1" });
    expect(data.sha).toBe(gitWriteTree(Object.fromEntries(head?.files ?? [])));
    expect(data.truncated).toBe(false);
    expect(data.tree.filter((e) => e.type === "blob").map((e) => e.path)).toEqual(
      [...(head?.files.keys() ?? [])].sort(),
    );
    expect(data.tree).toContainEqual(
      expect.objectContaining({ path: "infra/prod", type: "tree", mode: "040000" }),
    );
    const shallow = await f.octokit.rest.git.getTree({ ...repo, tree_sha: data.sha });
    expect(shallow.data.tree.every((e) => !e.path?.includes("/"))).toBe(true);
    const cached = await fetch(`${f.url}/repos/acme/infra/git/trees/main?recursive=1`, {
      headers: { authorization: `token ${f.token}`, "if-none-match": headers.etag ?? "" },
    });
    expect(cached.status).toBe(304);
  });
});

describe("repository, branches, commits, compare", () => {
  it("answers the repository and a branch", async () => {
    const { data } = await f.octokit.rest.repos.get(repo);
    expect(data).toMatchObject({ full_name: "acme/infra", default_branch: "main", private: true });
    expect(data.owner.type).toBe("Organization");
    const { data: branch } = await f.octokit.rest.repos.getBranch({ ...repo, branch: "main" });
    expect(branch.commit.sha).toBe(f.gh.repo("acme/infra").branches.get("main"));
    expect(await statusOf(f.octokit.rest.repos.getBranch({ ...repo, branch: "nope" }))).toBe(404);
  });

  it("lists commits newest first, with since, and a commit with its files", async () => {
    const t0 = new Date("2030-01-01T00:00:00Z");
    const a = f.gh.commit("acme/infra", "history", { "a.txt": "a\n" }, "add a", { date: t0 });
    const b = f.gh.commit("acme/infra", "history", { "a.txt": "a\nb\n", "old.txt": null }, "edit a", {
      date: new Date("2030-01-02T00:00:00Z"),
    });
    const { data } = await f.octokit.rest.repos.listCommits({
      ...repo,
      sha: "history",
      since: t0.toISOString(),
    });
    expect(data.map((c) => c.sha)).toEqual([b, a]);
    expect(data[0]?.parents.map((p) => p.sha)).toEqual([a]);
    const { data: commit } = await f.octokit.rest.repos.getCommit({ ...repo, ref: b });
    expect(commit.files?.map((file) => [file.filename, file.status, file.additions])).toEqual([
      ["a.txt", "modified", 1],
    ]);
    expect(commit.commit.message).toBe("edit a");
  });

  it("compares base...head with files, commits and status", async () => {
    const base = f.gh.repo("acme/infra").branches.get("main") ?? "";
    const one = f.gh.commit("acme/infra", "cmp", { "x/1.tf": "1\n" }, "one", { from: base });
    const two = f.gh.commit("acme/infra", "cmp", { "x/2.tf": "2\n" }, "two");
    const { data } = await f.octokit.rest.repos.compareCommitsWithBasehead({
      ...repo,
      basehead: `main...cmp`,
    });
    expect(data.status).toBe("ahead");
    expect(data.ahead_by).toBe(2);
    expect(data.commits.map((c) => c.sha)).toEqual([one, two]);
    expect(data.files?.map((file) => file.filename)).toEqual(["x/1.tf", "x/2.tf"]);
    f.gh.commit("acme/infra", "main", { "y.tf": "y\n" });
    const { data: diverged } = await f.octokit.rest.repos.compareCommitsWithBasehead({
      ...repo,
      basehead: "main...cmp",
    });
    expect(diverged.status).toBe("diverged");
    expect(diverged.behind_by).toBe(1);
    expect(diverged.files?.map((file) => file.filename)).toEqual(["x/1.tf", "x/2.tf"]);
  });
});
