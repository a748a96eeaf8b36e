import type { MergeMethod, Permission } from "../config/types.js";

/**
 * The one narrow interface between flowgate and GitHub. Everything flowgate reads from or writes to
 * GitHub goes through here, so the rest of the app can be tested against a fake and so the number of
 * requests per event is visible in one place.
 */

import type { RepoRef } from "../model/repo.js";

export type { RepoRef };

export const repoKey = (r: RepoRef): string => `${r.owner}/${r.repo}`;

/** A conditional GET: `not-modified` costs no rate limit (GitHub does not charge 304s). */
export type Conditional<T> =
  | { status: "ok"; value: T; etag?: string }
  | { status: "not-modified" }
  | { status: "not-found" };

/** One page of a list GitHub pages, as it answered: its ETag asks for the same page again conditionally. */
export interface ListPage<T> {
  etag?: string;
  items: T[];
}

/**
 * A list read again page by page with the ETags of its previous answer: a page GitHub answers 304 for
 * (uncharged) is the previous page. `changed` is false when every page was answered 304.
 */
export interface PagedList<T> {
  pages: ListPage<T>[];
  changed: boolean;
}

export interface InstallationRepo {
  id: number;
  owner: string;
  repo: string;
  defaultBranch: string;
  private: boolean;
}

export interface DirEntry {
  name: string;
  path: string;
  type: "file" | "dir" | "symlink" | "submodule";
  sha: string;
  /** bytes, as GitHub's listing says (files) */
  size?: number;
}

export interface PullFile {
  filename: string;
  previousFilename?: string;
  status: string;
}

export interface PullFiles {
  files: PullFile[];
  /** false when GitHub's list is cut (it returns at most 3,000 files) */
  complete: boolean;
  changedFiles: number;
}

export interface PullInfo {
  number: number;
  nodeId: string;
  state: "open" | "closed";
  merged: boolean;
  mergeCommitSha: string | null;
  draft: boolean;
  title: string;
  author: string;
  authorIsBot: boolean;
  headSha: string;
  headRef: string;
  /** owner/repo of the head; differs from the base repository for forks */
  headRepo: string | null;
  baseRef: string;
  baseSha: string;
  labels: string[];
  mergeable: boolean | null;
  mergeableState?: string;
  autoMergeEnabled: boolean;
  updatedAt: string;
}

export interface Review {
  id: number;
  login: string;
  isBot: boolean;
  state: string;
  commitId: string;
  submittedAt: string;
}

export interface IssueComment {
  id: number;
  body: string;
  login: string;
  isBot: boolean;
  createdAt: string;
}

export type CheckStatus = "queued" | "in_progress" | "completed";
export type CheckConclusion =
  | "success"
  | "failure"
  | "neutral"
  | "cancelled"
  | "timed_out"
  | "action_required"
  | "skipped";

export interface CheckRunInput {
  name: string;
  headSha: string;
  status: CheckStatus;
  conclusion?: CheckConclusion;
  externalId?: string;
  detailsUrl?: string;
  title: string;
  summary: string;
  text?: string;
  actions?: { label: string; description: string; identifier: string }[];
  startedAt?: string;
  completedAt?: string;
}

export interface CheckRunInfo {
  id: number;
  name: string;
  headSha: string;
  status: CheckStatus;
  conclusion: CheckConclusion | null;
  externalId: string | null;
  appSlug: string | null;
}

export interface WorkflowRun {
  id: number;
  displayTitle: string;
  event: string;
  status: string;
  conclusion: string | null;
  attempt: number;
  actor: string | null;
  htmlUrl: string;
  createdAt: string;
  headSha: string;
  path: string;
}

export interface CommitInfo {
  sha: string;
  parents: string[];
  date: string;
}

export type Reaction = "+1" | "-1" | "eyes" | "confused" | "rocket" | "hooray";

export interface GitHubPort {
  readonly ref: RepoRef;

  // configuration and repository contents
  listDirectory(path: string, ref: string, etag?: string): Promise<Conditional<DirEntry[]>>;
  readFile(path: string, ref: string, etag?: string): Promise<Conditional<{ text: string; sha: string }>>;
  readBlob(sha: string): Promise<string>;
  /** every file path at a ref (for stack generators); `truncated` when GitHub cut the tree */
  listTree(ref: string, etag?: string): Promise<Conditional<{ paths: string[]; truncated: boolean }>>;

  // pull requests
  getPull(number: number): Promise<PullInfo>;
  /** open PRs, asked conditionally page by page when the previous answer is given */
  listOpenPulls(previous?: readonly ListPage<PullInfo>[]): Promise<PagedList<PullInfo>>;
  listPullFiles(number: number, changedFiles?: number): Promise<PullFiles>;
  /** logins of everyone who authored or committed a commit of the PR (the "authors" of SPEC §3.1) */
  listPullPushers(number: number): Promise<string[]>;
  listReviews(number: number): Promise<Review[]>;
  listPullsForCommit(sha: string): Promise<PullInfo[]>;
  compareFiles(base: string, head: string): Promise<PullFiles>;
  /** the first line of each commit on `head` but not on `base` (GitHub lists at most 250); `complete` false when cut */
  compareCommitTitles(base: string, head: string): Promise<{ titles: string[]; complete: boolean }>;
  listCommits(branch: string, since?: string): Promise<CommitInfo[]>;
  /** the branch's head commit, conditionally: an unchanged branch costs a 304 */
  branchHead(branch: string, etag?: string): Promise<Conditional<string>>;
  /** repositories the installation can reach, asked conditionally like `listOpenPulls` */
  listInstallationRepos(
    previous?: readonly ListPage<InstallationRepo>[],
  ): Promise<PagedList<InstallationRepo>>;

  // check runs
  createCheckRun(input: CheckRunInput): Promise<number>;
  updateCheckRun(id: number, input: Partial<CheckRunInput>): Promise<void>;
  listCheckRuns(sha: string, name?: string): Promise<CheckRunInfo[]>;

  // comments
  listComments(issue: number): Promise<IssueComment[]>;
  createComment(issue: number, body: string): Promise<number>;
  updateComment(id: number, body: string): Promise<void>;
  addReaction(commentId: number, content: Reaction): Promise<void>;

  // who may do what
  getPermission(login: string): Promise<Permission | "none">;
  isTeamMember(org: string, team: string, login: string): Promise<boolean>;
  isOrgOwner(org: string, login: string): Promise<boolean>;

  // GitHub Actions
  /** dispatch on `ref`; returns the run id when GitHub gives it (`return_run_details`) */
  dispatchWorkflow(
    workflow: string,
    ref: string,
    inputs: Record<string, string>,
  ): Promise<{ runId?: number }>;
  /** `workflow_dispatch` runs of a workflow created since `since` whose run-name names the job */
  findRunsForJob(workflow: string, jobId: string, since: Date): Promise<WorkflowRun[]>;
  getRun(runId: number): Promise<WorkflowRun>;

  // ---- rollback through a pull request (Git Data API) ----
  /** a commit's parents and tree */
  getCommit(sha: string): Promise<{ sha: string; parents: string[]; treeSha: string }>;
  /** a file's text at a ref; undefined where it does not exist */
  fileAt(path: string, ref: string): Promise<string | undefined>;
  /** a commit on top of `parent` whose tree is `parent`'s with `files` set (`null` deletes); returns its SHA */
  commitFiles(
    parent: string,
    message: string,
    files: Readonly<Record<string, string | null>>,
  ): Promise<string>;
  createBranch(name: string, sha: string): Promise<void>;
  createPull(input: { title: string; head: string; base: string; body: string }): Promise<number>;
  /** the artifact's zip bytes, or why there are none */
  downloadArtifact(
    runId: number,
    name: string,
    maxBytes: number,
  ): Promise<Uint8Array | "missing" | "expired" | "too-large">;
  cancelRun(runId: number): Promise<void>;
  reviewDeployment(
    runId: number,
    environment: string,
    state: "approved" | "rejected",
    comment: string,
  ): Promise<void>;

  // merging
  enableAutoMerge(pullNodeId: string, headSha: string, method: MergeMethod): Promise<void>;
  disableAutoMerge(pullNodeId: string): Promise<void>;
  mergePull(
    number: number,
    headSha: string,
    method: MergeMethod,
  ): Promise<"merged" | "head-moved" | "not-mergeable">;
}
