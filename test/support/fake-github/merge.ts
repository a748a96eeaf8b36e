/**
 * Pull request mergeability and merging, shared by the REST merge endpoint and GitHub auto-merge.
 */
import type { FileChange } from "./git.js";
import {
  applyChanges,
  commitsBetween,
  createCommit,
  diffSnapshots,
  mergeBase,
  mergeSnapshots,
} from "./git.js";
import type {
  CheckRunState,
  CommitState,
  MergeableState,
  MergeMethod,
  PullState,
  RepoState,
  UserState,
} from "./state.js";
import { iso } from "./state.js";

export interface MergeStatus {
  mergeable: boolean | null;
  state: MergeableState;
  /** why a merge would be refused, as GitHub words it; null when it can merge */
  refusal: string | null;
}

const PASSING = new Set(["success", "neutral", "skipped"]);

/** The latest check run of each name on a commit (GitHub's `filter=latest`). */
export function latestCheckRuns(repo: RepoState, sha: string): CheckRunState[] {
  const latest = new Map<string, CheckRunState>();
  for (const run of repo.checkRuns.values()) {
    if (run.headSha !== sha) continue;
    const key = `${run.appId}:${run.name}`;
    const seen = latest.get(key);
    if (!seen || seen.id < run.id) latest.set(key, run);
  }
  return [...latest.values()];
}

export function mergeStatus(repo: RepoState, pull: PullState): MergeStatus {
  if (pull.merged || pull.issue.state === "closed") {
    return { mergeable: null, state: "unknown", refusal: "Pull Request is not mergeable" };
  }
  if (pull.mergeableOverride) {
    const { mergeable, state } = pull.mergeableOverride;
    const refusal =
      mergeable === true && !["blocked", "draft"].includes(state) ? null : "Pull Request is not mergeable";
    return { mergeable, state, refusal: state === "draft" ? "Pull Request is still a draft" : refusal };
  }
  if (conflicts(repo, pull).length > 0)
    return { mergeable: false, state: "dirty", refusal: "Pull Request is not mergeable" };
  if (pull.draft) return { mergeable: true, state: "draft", refusal: "Pull Request is still a draft" };
  const missing = missingRequiredChecks(repo, pull);
  if (missing.length > 0) {
    return {
      mergeable: true,
      state: "blocked",
      refusal: `Required status check "${missing[0]}" is expected.`,
    };
  }
  return { mergeable: true, state: "clean", refusal: null };
}

function missingRequiredChecks(repo: RepoState, pull: PullState): string[] {
  const required = repo.protection.get(pull.base.ref) ?? [];
  const runs = latestCheckRuns(repo, pull.head.sha);
  return required.filter((name) => {
    const run = runs.filter((r) => r.name === name).sort((a, b) => b.id - a.id)[0];
    return run?.status !== "completed" || !PASSING.has(run.conclusion ?? "");
  });
}

function conflicts(repo: RepoState, pull: PullState): string[] {
  const baseSha = repo.branches.get(pull.base.ref);
  if (!baseSha) return [];
  const ancestor = mergeBase(repo, baseSha, pull.head.sha);
  const snap = (sha: string | undefined) => (sha ? repo.commits.get(sha)?.files : undefined) ?? new Map();
  return mergeSnapshots(snap(ancestor), snap(baseSha), snap(pull.head.sha)).conflicts;
}

export interface MergeOptions {
  method: MergeMethod;
  by: UserState;
  now: Date;
  commitTitle?: string;
  commitMessage?: string;
}

/** Merges a pull request that `mergeStatus` allows: a commit lands on the base branch. Returns the old and new base SHAs. */
export function performMerge(pull: PullState, options: MergeOptions): { before: string; after: string } {
  const repo = pull.repo;
  const before = repo.branches.get(pull.base.ref) ?? pull.base.sha;
  const ancestor = mergeBase(repo, before, pull.head.sha);
  const snap = (sha: string | undefined) => (sha ? repo.commits.get(sha)?.files : undefined) ?? new Map();
  const { files } = mergeSnapshots(snap(ancestor), snap(before), snap(pull.head.sha));
  const person = {
    name: options.by.login,
    email: `${options.by.id}+${options.by.login}@users.noreply.github.com`,
    date: iso(options.now),
    login: options.by.login,
  };
  const title = options.commitTitle ?? defaultTitle(pull, options.method);
  const message = options.commitMessage === undefined ? title : `${title}\n\n${options.commitMessage}`;
  const commit = createCommit(repo, {
    parents: options.method === "merge" ? [before, pull.head.sha] : [before],
    files: applyChanges(files, {}),
    message,
    author: person,
  });
  repo.branches.set(pull.base.ref, commit.sha);
  pull.merged = true;
  pull.mergedAt = iso(options.now);
  pull.mergedBy = options.by;
  pull.mergeCommitSha = commit.sha;
  pull.autoMerge = null;
  pull.issue.state = "closed";
  pull.issue.closedAt = iso(options.now);
  pull.issue.updatedAt = iso(options.now);
  return { before, after: commit.sha };
}

function defaultTitle(pull: PullState, method: MergeMethod): string {
  if (method === "merge") {
    const from = pull.head.fork
      ? `${pull.head.fork.owner.login}/${pull.head.ref}`
      : `${pull.repo.owner.login}/${pull.head.ref}`;
    return `Merge pull request #${pull.number} from ${from}`;
  }
  return `${pull.issue.title} (#${pull.number})`;
}

/** The commit a pull request's diff starts from: the merge base of head and base (GitHub's three-dot diff). */
function pullDiffBase(pull: PullState): string | undefined {
  const repo = pull.repo;
  if (pull.merged && pull.mergeCommitSha) {
    // after the merge GitHub keeps showing the diff as it was: against the base before the merge
    const mergeCommit = repo.commits.get(pull.mergeCommitSha);
    const before = mergeCommit?.parents[0];
    return before ? mergeBase(repo, before, pull.head.sha) : undefined;
  }
  const baseSha = repo.branches.get(pull.base.ref) ?? pull.base.sha;
  return mergeBase(repo, baseSha, pull.head.sha);
}

export function pullFileChanges(pull: PullState): FileChange[] {
  const repo = pull.repo;
  const from = pullDiffBase(pull);
  const snap = (sha: string | undefined) =>
    (sha ? repo.commits.get(sha)?.files : undefined) ?? new Map<string, string>();
  return diffSnapshots(snap(from), snap(pull.head.sha));
}

export function pullCommits(pull: PullState): CommitState[] {
  return commitsBetween(pull.repo, pullDiffBase(pull) ?? null, pull.head.sha);
}
