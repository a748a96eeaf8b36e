/** Pull requests: list, get, files, commits, reviews, merge, and the pulls of a commit. */
import { ancestors, resolveRef } from "../git.js";
import { mergeStatus, performMerge, pullCommits, pullFileChanges } from "../merge.js";
import {
  bodyObject,
  error,
  intParam,
  json,
  notFound,
  paginate,
  type Reply,
  type RequestContext,
  type Route,
} from "../router.js";
import type { MergeMethod, PullState, RepoState } from "../state.js";

/** GitHub lists at most 3,000 files of a pull request and 250 of its commits. */
export const MAX_PULL_FILES = 3000;
export const MAX_PULL_COMMITS = 250;

function repoOf(ctx: RequestContext): RepoState {
  return ctx.repo as RepoState;
}

function pullOf(ctx: RequestContext): PullState | undefined {
  const number = intParam(ctx, "number");
  return number === undefined ? undefined : (repoOf(ctx).issues.get(number)?.pull ?? undefined);
}

function pulls(repo: RepoState): PullState[] {
  return [...repo.issues.values()].map((i) => i.pull).filter((p): p is PullState => p !== null);
}

function listPulls(ctx: RequestContext): Reply {
  const repo = repoOf(ctx);
  const state = ctx.query.get("state") ?? "open";
  if (!["open", "closed", "all"].includes(state)) {
    return error(422, "Validation Failed", {
      errors: [{ resource: "Issue", field: "state", code: "invalid" }],
    });
  }
  const head = ctx.query.get("head");
  const base = ctx.query.get("base");
  const direction = ctx.query.get("direction") ?? "desc";
  const list = pulls(repo)
    .filter((p) => state === "all" || p.issue.state === state)
    .filter((p) => !base || p.base.ref === base)
    .filter((p) => {
      if (!head) return true;
      const [owner, ref] = head.includes(":") ? head.split(":") : [repo.owner.login, head];
      const headOwner = p.head.fork ? p.head.fork.owner.login : repo.owner.login;
      return headOwner.toLowerCase() === owner?.toLowerCase() && p.head.ref === ref;
    })
    .sort((a, b) => (direction === "asc" ? a.number - b.number : b.number - a.number));
  return paginate(
    ctx,
    list.map((p) => ctx.render.pull(p, false)),
  );
}

function merge(ctx: RequestContext): Reply {
  const pull = pullOf(ctx);
  if (!pull) return notFound();
  const repo = repoOf(ctx);
  const body = bodyObject(ctx) ?? {};
  const method = (body.merge_method ?? "merge") as MergeMethod;
  if (!["merge", "squash", "rebase"].includes(method)) {
    return error(422, `Invalid request.\n\n"${String(method)}" is not a valid merge_method.`);
  }
  if (typeof body.sha === "string" && body.sha !== pull.head.sha) {
    return error(409, "Head branch was modified. Review and try the merge again.");
  }
  const status = mergeStatus(repo, pull);
  if (status.refusal) return error(405, status.refusal);
  if (!repo.allowedMergeMethods.has(method)) {
    const names = { merge: "Merge commits", squash: "Squash merges", rebase: "Rebase merges" };
    return error(405, `${names[method]} are not allowed on this repository.`);
  }
  const by = ctx.store.bot;
  const { before, after } = performMerge(pull, {
    method,
    by,
    now: ctx.now,
    ...(typeof body.commit_title === "string" ? { commitTitle: body.commit_title } : {}),
    ...(typeof body.commit_message === "string" ? { commitMessage: body.commit_message } : {}),
  });
  repo.merges.push({
    repo: repo.fullName,
    number: pull.number,
    sha: after,
    method,
    expectedHeadSha: typeof body.sha === "string" ? body.sha : null,
    mergedBy: by.login,
    viaAutoMerge: false,
    at: ctx.now,
  });
  ctx.effects.pullMerged(pull, before, after);
  return json(200, { sha: after, merged: true, message: "Pull Request successfully merged" });
}

/** The merged PR that brought a commit to the default branch; else open PRs that contain it. */
function commitPulls(ctx: RequestContext): Reply {
  const repo = repoOf(ctx);
  const commit = resolveRef(repo, ctx.params.sha ?? "");
  if (!commit) return error(422, `No commit found for SHA: ${ctx.params.sha ?? ""}`);
  const defaultHead = repo.branches.get(repo.defaultBranch);
  const onDefault = defaultHead ? ancestors(repo, defaultHead).has(commit.sha) : false;
  const all = pulls(repo);
  const found = onDefault
    ? all.filter(
        (p) =>
          p.merged &&
          (p.mergeCommitSha === commit.sha || pullCommits(p).some((c) => c.sha === commit.sha)) &&
          p.base.ref === repo.defaultBranch,
      )
    : all.filter((p) => p.issue.state === "open" && ancestors(repo, p.head.sha).has(commit.sha));
  return paginate(
    ctx,
    found.map((p) => ctx.render.pull(p, false)),
  );
}

export const pullRoutes: Route[] = [
  { method: "GET", pattern: "/repos/:owner/:repo/pulls", auth: "repo", handler: listPulls },
  {
    method: "GET",
    pattern: "/repos/:owner/:repo/pulls/:number",
    auth: "repo",
    handler: (ctx) => {
      const pull = pullOf(ctx);
      return pull ? json(200, ctx.render.pull(pull, true)) : notFound();
    },
  },
  {
    method: "GET",
    pattern: "/repos/:owner/:repo/pulls/:number/files",
    auth: "repo",
    handler: (ctx) => {
      const pull = pullOf(ctx);
      if (!pull) return notFound();
      const files = pullFileChanges(pull).slice(0, MAX_PULL_FILES);
      return paginate(
        ctx,
        files.map((f) => ctx.render.fileChange(repoOf(ctx), pull.head.sha, f)),
      );
    },
  },
  {
    method: "GET",
    pattern: "/repos/:owner/:repo/pulls/:number/commits",
    auth: "repo",
    handler: (ctx) => {
      const pull = pullOf(ctx);
      if (!pull) return notFound();
      const commits = pullCommits(pull).slice(0, MAX_PULL_COMMITS);
      return paginate(
        ctx,
        commits.map((c) => ctx.render.commitSummary(repoOf(ctx), c)),
      );
    },
  },
  {
    method: "GET",
    pattern: "/repos/:owner/:repo/pulls/:number/reviews",
    auth: "repo",
    handler: (ctx) => {
      const pull = pullOf(ctx);
      if (!pull) return notFound();
      return paginate(
        ctx,
        pull.reviews.map((r) => ctx.render.review(r, pull)),
      );
    },
  },
  { method: "PUT", pattern: "/repos/:owner/:repo/pulls/:number/merge", auth: "repo", handler: merge },
  { method: "GET", pattern: "/repos/:owner/:repo/commits/:sha/pulls", auth: "repo", handler: commitPulls },
];
