/** Repository, branches, contents, git trees and blobs, commits and compare. */
import { commitsBetween, diffSnapshots, log, mergeBase, resolveRef } from "../git.js";
import { HTML } from "../render.js";
import { error, json, notFound, paginate, type Reply, type RequestContext, type Route } from "../router.js";
import type { CommitState, RepoState, TreeNode } from "../state.js";

function repoOf(ctx: RequestContext): RepoState {
  // `repo` routes always carry the repository; the server refuses the request otherwise
  return ctx.repo as RepoState;
}

function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

/** GitHub wraps base64 content at 60 characters. */
function base64Wrapped(content: string): string {
  const encoded = Buffer.from(content, "utf8").toString("base64");
  return `${(encoded.match(/.{1,60}/g) ?? []).join("\n")}\n`;
}

function contentEntry(
  ctx: RequestContext,
  repo: RepoState,
  ref: string,
  path: string,
  sha: string,
  file: boolean,
) {
  const api = `${ctx.api}/repos/${repo.fullName}`;
  const self = `${api}/contents/${encodePath(path)}?ref=${encodeURIComponent(ref)}`;
  const git = `${api}/git/${file ? "blobs" : "trees"}/${sha}`;
  const html = `${HTML}/${repo.fullName}/${file ? "blob" : "tree"}/${ref}/${encodePath(path)}`;
  return {
    name: path.split("/").pop() ?? path,
    path,
    sha,
    size: file ? Buffer.byteLength(repo.blobs.get(sha) ?? "") : 0,
    url: self,
    html_url: html,
    git_url: git,
    download_url: file ? `${HTML}/${repo.fullName}/raw/${ref}/${encodePath(path)}` : null,
    type: file ? "file" : "dir",
    _links: { self, git, html },
  };
}

/** The tree node for a directory of a commit, walking down from the root tree. */
function treeAt(repo: RepoState, commit: CommitState, dir: string): TreeNode | undefined {
  let node = repo.trees.get(commit.treeSha);
  for (const part of dir.split("/").filter(Boolean)) {
    const entry = node?.entries.find((e) => e.name === part && e.type === "tree");
    node = entry ? repo.trees.get(entry.sha) : undefined;
  }
  return node;
}

function getContents(ctx: RequestContext): Reply {
  const repo = repoOf(ctx);
  const ref = ctx.query.get("ref") ?? repo.defaultBranch;
  const commit = resolveRef(repo, ref);
  if (!commit) return error(404, `No commit found for the ref ${ref}`);
  const path = (ctx.params.path ?? "").replace(/^\/+|\/+$/g, "");
  const content = commit.files.get(path);
  const accept = String(ctx.headers.accept ?? "");
  if (content !== undefined) {
    if (/\.raw\b|vnd\.github\.raw/.test(accept)) {
      return {
        status: 200,
        raw: { bytes: content, contentType: "application/vnd.github.raw; charset=utf-8" },
      };
    }
    const entry = contentEntry(ctx, repo, ref, path, blobShaOf(repo, commit, path), true);
    return json(200, { ...entry, content: base64Wrapped(content), encoding: "base64" });
  }
  const tree = treeAt(repo, commit, path);
  if (!tree) return notFound();
  const entries = tree.entries
    .map((e) => contentEntry(ctx, repo, ref, path ? `${path}/${e.name}` : e.name, e.sha, e.type === "blob"))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  return json(200, entries);
}

function blobShaOf(repo: RepoState, commit: CommitState, path: string): string {
  const dir = path.split("/").slice(0, -1).join("/");
  const name = path.split("/").pop() ?? path;
  return treeAt(repo, commit, dir)?.entries.find((e) => e.name === name)?.sha ?? "";
}

function getTree(ctx: RequestContext): Reply {
  const repo = repoOf(ctx);
  const ref = ctx.params.ref ?? "";
  const root =
    repo.trees.get(ref) ??
    (resolveRef(repo, ref) ? repo.trees.get(resolveRef(repo, ref)?.treeSha ?? "") : undefined);
  if (!root) return notFound();
  const recursive = ctx.query.has("recursive");
  const entries: Record<string, unknown>[] = [];
  const walk = (node: TreeNode, prefix: string) => {
    for (const e of node.entries) {
      const path = prefix ? `${prefix}/${e.name}` : e.name;
      entries.push({
        path,
        mode: e.mode,
        type: e.type,
        sha: e.sha,
        ...(e.type === "blob" ? { size: e.size ?? 0 } : {}),
        url: `${ctx.api}/repos/${repo.fullName}/git/${e.type === "blob" ? "blobs" : "trees"}/${e.sha}`,
      });
      const child = e.type === "tree" ? repo.trees.get(e.sha) : undefined;
      if (recursive && child) walk(child, path);
    }
  };
  walk(root, "");
  return json(200, {
    sha: root.sha,
    url: `${ctx.api}/repos/${repo.fullName}/git/trees/${root.sha}`,
    tree: entries,
    truncated: false,
  });
}

function getBranch(ctx: RequestContext): Reply {
  const repo = repoOf(ctx);
  const name = ctx.params.branch ?? "";
  const sha = repo.branches.get(name);
  const commit = sha ? repo.commits.get(sha) : undefined;
  if (!commit) return error(404, "Branch not found");
  const url = `${ctx.api}/repos/${repo.fullName}/branches/${encodeURIComponent(name)}`;
  const required = repo.protection.get(name);
  return json(200, {
    name,
    commit: ctx.render.commitSummary(repo, commit),
    _links: { self: url, html: `${HTML}/${repo.fullName}/tree/${name}` },
    protected: required !== undefined,
    protection: {
      enabled: required !== undefined,
      required_status_checks: {
        enforcement_level: required ? "non_admins" : "off",
        contexts: required ?? [],
        checks: (required ?? []).map((context) => ({ context, app_id: null })),
      },
    },
    protection_url: `${url}/protection`,
  });
}

function commitWithFiles(ctx: RequestContext, repo: RepoState, commit: CommitState) {
  const parent = commit.parents[0] ? repo.commits.get(commit.parents[0]) : undefined;
  const files = diffSnapshots(parent?.files ?? new Map(), commit.files);
  const additions = files.reduce((sum, f) => sum + f.additions, 0);
  const deletions = files.reduce((sum, f) => sum + f.deletions, 0);
  return {
    ...ctx.render.commitSummary(repo, commit),
    stats: { total: additions + deletions, additions, deletions },
    // GitHub lists at most 300 files per page of a commit
    files: files.slice(0, 300).map((f) => ctx.render.fileChange(repo, commit.sha, f)),
  };
}

function listCommits(ctx: RequestContext): Reply {
  const repo = repoOf(ctx);
  const start = ctx.query.get("sha") ?? repo.defaultBranch;
  const head = resolveRef(repo, start);
  if (!head) return error(404, `No commit found for SHA: ${start}`);
  const since = ctx.query.get("since");
  const until = ctx.query.get("until");
  const path = ctx.query.get("path");
  const author = ctx.query.get("author")?.toLowerCase();
  const commits = log(repo, head.sha).filter((c) => {
    const date = Date.parse(c.committer.date);
    if (since && date < Date.parse(since)) return false;
    if (until && date > Date.parse(until)) return false;
    if (author && c.author.login?.toLowerCase() !== author) return false;
    if (path) {
      const parent = c.parents[0] ? repo.commits.get(c.parents[0]) : undefined;
      const touched = (p: string) => p === path || p.startsWith(`${path.replace(/\/+$/, "")}/`);
      if (!diffSnapshots(parent?.files ?? new Map(), c.files).some((f) => touched(f.filename))) return false;
    }
    return true;
  });
  return paginate(
    ctx,
    commits.map((c) => ctx.render.commitSummary(repo, c)),
  );
}

function getCommit(ctx: RequestContext): Reply {
  const repo = repoOf(ctx);
  const ref = ctx.params.ref ?? "";
  const commit = resolveRef(repo, ref);
  if (!commit) return error(422, `No commit found for SHA: ${ref}`);
  return json(200, commitWithFiles(ctx, repo, commit));
}

function compare(ctx: RequestContext): Reply {
  const repo = repoOf(ctx);
  const basehead = ctx.params.basehead ?? "";
  const split = basehead.includes("...") ? basehead.split("...") : basehead.split("..");
  const [baseRef, headRef] = split;
  if (split.length !== 2 || !baseRef || !headRef) return notFound();
  const base = resolveRef(repo, baseRef);
  const head = resolveRef(repo, headRef);
  if (!base || !head) return notFound();
  const threeDot = basehead.includes("...");
  const ancestor = mergeBase(repo, base.sha, head.sha);
  // both oldest first
  const ahead = commitsBetween(repo, ancestor ?? null, head.sha);
  const behind = commitsBetween(repo, ancestor ?? null, base.sha);
  const status =
    ahead.length === 0 && behind.length === 0
      ? "identical"
      : behind.length === 0
        ? "ahead"
        : ahead.length === 0
          ? "behind"
          : "diverged";
  const from = threeDot && ancestor ? repo.commits.get(ancestor) : base;
  const files = diffSnapshots(from?.files ?? new Map(), head.files);
  const ancestorCommit = ancestor ? repo.commits.get(ancestor) : undefined;
  const url = `${ctx.api}/repos/${repo.fullName}/compare/${basehead}`;
  return json(200, {
    url,
    html_url: `${HTML}/${repo.fullName}/compare/${basehead}`,
    permalink_url: `${HTML}/${repo.fullName}/compare/${base.sha}...${head.sha}`,
    diff_url: `${HTML}/${repo.fullName}/compare/${basehead}.diff`,
    patch_url: `${HTML}/${repo.fullName}/compare/${basehead}.patch`,
    base_commit: ctx.render.commitSummary(repo, base),
    merge_base_commit: ancestorCommit ? ctx.render.commitSummary(repo, ancestorCommit) : null,
    status,
    ahead_by: ahead.length,
    behind_by: behind.length,
    total_commits: ahead.length,
    // oldest first, at most 250, like GitHub
    commits: ahead.slice(0, 250).map((c) => ctx.render.commitSummary(repo, c)),
    files: files.slice(0, 300).map((f) => ctx.render.fileChange(repo, head.sha, f)),
  });
}

export const repoRoutes: Route[] = [
  {
    method: "GET",
    pattern: "/repos/:owner/:repo",
    auth: "repo",
    handler: (ctx) => json(200, ctx.render.repo(repoOf(ctx))),
  },
  { method: "GET", pattern: "/repos/:owner/:repo/branches/*branch", auth: "repo", handler: getBranch },
  { method: "GET", pattern: "/repos/:owner/:repo/contents", auth: "repo", handler: getContents },
  { method: "GET", pattern: "/repos/:owner/:repo/contents/*path", auth: "repo", handler: getContents },
  { method: "GET", pattern: "/repos/:owner/:repo/git/trees/*ref", auth: "repo", handler: getTree },
  {
    method: "GET",
    pattern: "/repos/:owner/:repo/git/blobs/:sha",
    auth: "repo",
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const sha = ctx.params.sha ?? "";
      const content = repo.blobs.get(sha);
      if (content === undefined) return notFound();
      return json(200, {
        sha,
        node_id: `B_kwDO${sha.slice(0, 12)}`,
        size: Buffer.byteLength(content),
        url: `${ctx.api}/repos/${repo.fullName}/git/blobs/${sha}`,
        content: base64Wrapped(content),
        encoding: "base64",
      });
    },
  },
  { method: "GET", pattern: "/repos/:owner/:repo/commits", auth: "repo", handler: listCommits },
  { method: "GET", pattern: "/repos/:owner/:repo/commits/:ref", auth: "repo", handler: getCommit },
  { method: "GET", pattern: "/repos/:owner/:repo/compare/*basehead", auth: "repo", handler: compare },
];
