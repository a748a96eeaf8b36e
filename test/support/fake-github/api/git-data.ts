/**
 * GitHub's Git Data API, as much as flowgate's rollback uses: blobs, trees on a base tree, commits,
 * branch refs; and opening a pull request from a branch (POST /pulls).
 */
import { applyChanges, blobSha, createCommit } from "../git.js";
import { bodyObject, error, json, type Reply, type RequestContext, type Route } from "../router.js";
import type { RepoState } from "../state.js";

/** Snapshots of trees made through the API (the fake's commits keep whole snapshots, not trees). */
const treeFiles = new WeakMap<RepoState, Map<string, ReadonlyMap<string, string>>>();

function repoOf(ctx: RequestContext): RepoState {
  return ctx.repo as RepoState;
}

function filesOfTree(repo: RepoState, sha: string): ReadonlyMap<string, string> | undefined {
  const made = treeFiles.get(repo)?.get(sha);
  if (made) return made;
  for (const commit of repo.commits.values()) if (commit.treeSha === sha) return commit.files;
  return undefined;
}

function createBlob(ctx: RequestContext): Reply {
  const body = bodyObject(ctx) ?? {};
  if (typeof body.content !== "string") return error(422, 'Invalid request.\n\n"content" wasn\'t supplied.');
  const content =
    body.encoding === "base64" ? Buffer.from(body.content, "base64").toString("utf8") : body.content;
  const sha = blobSha(content);
  repoOf(ctx).blobs.set(sha, content);
  return json(201, { sha, url: `${ctx.api}/repos/${repoOf(ctx).fullName}/git/blobs/${sha}` });
}

function createTree(ctx: RequestContext): Reply {
  const repo = repoOf(ctx);
  const body = bodyObject(ctx) ?? {};
  const base =
    typeof body.base_tree === "string" ? filesOfTree(repo, body.base_tree) : new Map<string, string>();
  if (!base) return error(422, "Invalid request.\n\nbase_tree is not a tree.");
  const changes: Record<string, string | null> = {};
  for (const entry of Array.isArray(body.tree) ? (body.tree as Record<string, unknown>[]) : []) {
    const path = String(entry.path ?? "");
    if (entry.sha === null) changes[path] = null;
    else if (typeof entry.content === "string") changes[path] = entry.content;
    else {
      const content = repo.blobs.get(String(entry.sha));
      if (content === undefined)
        return error(422, `Invalid request.\n\nsha ${String(entry.sha)} is not a blob.`);
      changes[path] = content;
    }
  }
  const files = applyChanges(base, changes);
  // a commit object gives the tree's SHA exactly as git would
  const probe = createCommit(repo, {
    parents: [],
    files,
    message: "tree",
    author: { name: "tree", email: "tree@example.com", date: "1970-01-01T00:00:00Z", login: null },
  });
  repo.commits.delete(probe.sha);
  const made = treeFiles.get(repo) ?? new Map();
  made.set(probe.treeSha, files);
  treeFiles.set(repo, made);
  return json(201, {
    sha: probe.treeSha,
    url: `${ctx.api}/repos/${repo.fullName}/git/trees/${probe.treeSha}`,
  });
}

function createGitCommit(ctx: RequestContext): Reply {
  const repo = repoOf(ctx);
  const body = bodyObject(ctx) ?? {};
  const files = typeof body.tree === "string" ? filesOfTree(repo, body.tree) : undefined;
  if (!files) return error(422, "Invalid request.\n\ntree is not a tree.");
  const parents = Array.isArray(body.parents) ? body.parents.map(String) : [];
  if (parents.some((p) => !repo.commits.has(p)))
    return error(422, "Invalid request.\n\nparent is not a commit.");
  const by = {
    name: ctx.store.botLogin,
    email: "bot@example.com",
    date: ctx.now.toISOString(),
    login: ctx.store.botLogin,
  };
  const commit = createCommit(repo, { parents, files, message: String(body.message ?? ""), author: by });
  return json(201, {
    sha: commit.sha,
    tree: { sha: commit.treeSha },
    parents: parents.map((sha) => ({ sha })),
  });
}

function createRef(ctx: RequestContext): Reply {
  const repo = repoOf(ctx);
  const body = bodyObject(ctx) ?? {};
  const ref = String(body.ref ?? "");
  if (!ref.startsWith("refs/heads/")) return error(422, "Reference name must start with 'refs/heads/'.");
  const branch = ref.slice("refs/heads/".length);
  if (repo.branches.has(branch)) return error(422, "Reference already exists");
  if (!repo.commits.has(String(body.sha))) return error(422, "Object does not exist");
  repo.branches.set(branch, String(body.sha));
  return json(201, { ref, object: { sha: body.sha, type: "commit" } });
}

function createPull(ctx: RequestContext): Reply {
  const repo = repoOf(ctx);
  const body = bodyObject(ctx) ?? {};
  const head = String(body.head ?? "");
  if (!repo.branches.has(head)) return error(422, `Validation Failed: head ${head} does not exist`);
  const pull = ctx.effects.openPull({
    repo: repo.fullName,
    head: { ref: head },
    ...(typeof body.base === "string" ? { base: body.base } : {}),
    user: ctx.store.botLogin,
    title: String(body.title ?? head),
    body: String(body.body ?? ""),
  });
  return json(201, ctx.render.pull(pull, true));
}

function getGitCommit(ctx: RequestContext): Reply {
  const commit = repoOf(ctx).commits.get(ctx.params.commit_sha ?? "");
  if (!commit) return error(404, "Not Found");
  return json(200, {
    sha: commit.sha,
    message: commit.message,
    tree: { sha: commit.treeSha },
    parents: commit.parents.map((sha) => ({ sha })),
  });
}

export const gitDataRoutes: Route[] = [
  {
    method: "GET",
    pattern: "/repos/:owner/:repo/git/commits/:commit_sha",
    auth: "repo",
    handler: getGitCommit,
  },
  { method: "POST", pattern: "/repos/:owner/:repo/git/blobs", auth: "repo", handler: createBlob },
  { method: "POST", pattern: "/repos/:owner/:repo/git/trees", auth: "repo", handler: createTree },
  { method: "POST", pattern: "/repos/:owner/:repo/git/commits", auth: "repo", handler: createGitCommit },
  { method: "POST", pattern: "/repos/:owner/:repo/git/refs", auth: "repo", handler: createRef },
  { method: "POST", pattern: "/repos/:owner/:repo/pulls", auth: "repo", handler: createPull },
];
