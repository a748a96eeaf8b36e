/**
 * The fake GitHub's in-memory state: plain records, one store per server.
 * Handlers and seeding methods mutate these objects; renderers (render.ts) turn them into REST shapes.
 */

export type Role = "admin" | "maintain" | "write" | "triage" | "read" | "none";
export type UserType = "User" | "Bot" | "Organization";
export type MergeMethod = "merge" | "squash" | "rebase";
export type MergeableState =
  | "clean"
  | "blocked"
  | "dirty"
  | "unstable"
  | "unknown"
  | "behind"
  | "draft"
  | "has_hooks";
export type RunStatus = "queued" | "in_progress" | "completed" | "waiting" | "requested" | "pending";
export type RunConclusion = "success" | "failure" | "cancelled" | "timed_out" | "skipped" | "neutral";

export class FakeGitHubUsageError extends Error {
  override name = "FakeGitHubUsageError";
}

export interface UserState {
  login: string;
  id: number;
  nodeId: string;
  type: UserType;
}

export interface InstallationState {
  id: number;
  account: UserState;
  createdAt: string;
  suspended: boolean;
}

export interface TokenState {
  token: string;
  installationId: number;
  expiresAt: number;
  /** set when the token was scoped to some repositories */
  repositoryIds: Set<number> | null;
}

export interface GitPerson {
  name: string;
  email: string;
  date: string;
  login: string | null;
}

export interface CommitState {
  sha: string;
  treeSha: string;
  parents: string[];
  message: string;
  author: GitPerson;
  committer: GitPerson;
  /** full snapshot: path → content */
  files: ReadonlyMap<string, string>;
  /** creation order, to order commits with equal dates */
  seq: number;
}

export interface TreeEntry {
  name: string;
  mode: "100644" | "040000";
  type: "blob" | "tree";
  sha: string;
  size?: number;
}

export interface TreeNode {
  sha: string;
  /** directory path, "" for the root */
  path: string;
  entries: TreeEntry[];
}

export interface LabelState {
  id: number;
  nodeId: string;
  name: string;
  color: string;
}

export interface ReactionState {
  id: number;
  nodeId: string;
  user: UserState;
  content: string;
  createdAt: string;
}

export interface CommentState {
  id: number;
  nodeId: string;
  repo: RepoState;
  issueNumber: number;
  user: UserState;
  body: string;
  createdAt: string;
  updatedAt: string;
  /** made with an installation token */
  viaApp: boolean;
  reactions: ReactionState[];
}

export type ReviewStateName = "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";

export interface ReviewState {
  id: number;
  nodeId: string;
  user: UserState;
  body: string;
  state: ReviewStateName;
  commitId: string;
  submittedAt: string;
}

export interface AutoMergeState {
  enabledBy: UserState;
  mergeMethod: MergeMethod;
  enabledAt: string;
}

export interface IssueState {
  repo: RepoState;
  number: number;
  id: number;
  nodeId: string;
  title: string;
  body: string;
  user: UserState;
  state: "open" | "closed";
  labels: LabelState[];
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  /** set when this issue is a pull request */
  pull: PullState | null;
}

export interface PullState {
  repo: RepoState;
  number: number;
  id: number;
  nodeId: string;
  issue: IssueState;
  draft: boolean;
  head: {
    ref: string;
    sha: string;
    /** the head repository: the base repository unless the PR comes from a fork */
    fork: { owner: UserState; name: string; id: number; nodeId: string } | null;
  };
  base: { ref: string; sha: string };
  merged: boolean;
  mergedAt: string | null;
  mergedBy: UserState | null;
  mergeCommitSha: string | null;
  /** set by `setMergeable`; otherwise mergeability is computed */
  mergeableOverride: { mergeable: boolean | null; state: MergeableState } | null;
  autoMerge: AutoMergeState | null;
  /** logins of everyone who pushed a commit to the PR, the author first */
  pushers: string[];
  reviews: ReviewState[];
}

export interface CheckAction {
  label: string;
  description: string;
  identifier: string;
}

export interface CheckRunState {
  id: number;
  nodeId: string;
  repo: RepoState;
  appId: number;
  name: string;
  headSha: string;
  externalId: string;
  status: string;
  conclusion: string | null;
  startedAt: string;
  completedAt: string | null;
  detailsUrl: string | null;
  output: { title: string | null; summary: string | null; text: string | null; annotationsCount: number };
  actions: CheckAction[];
  checkSuiteId: number;
  createdAt: string;
  /** how many times it was written (create counts as one) */
  writes: number;
}

export interface WorkflowState {
  id: number;
  nodeId: string;
  /** `.github/workflows/flowgate.yml` */
  path: string;
  name: string;
  createdAt: string;
  runCount: number;
}

export interface RunState {
  id: number;
  nodeId: string;
  repo: RepoState;
  workflow: WorkflowState;
  name: string;
  displayTitle: string;
  event: string;
  status: RunStatus;
  conclusion: RunConclusion | null;
  headBranch: string;
  headSha: string;
  runNumber: number;
  runAttempt: number;
  actor: UserState;
  triggeringActor: UserState;
  createdAt: string;
  updatedAt: string;
  runStartedAt: string;
  checkSuiteId: number;
  inputs: Record<string, string>;
}

export interface ArtifactState {
  id: number;
  nodeId: string;
  repo: RepoState;
  runId: number;
  name: string;
  zip: Uint8Array;
  createdAt: string;
  expiresAt: string;
  expired: boolean;
}

export interface DispatchRecord {
  repo: string;
  workflow: string;
  ref: string;
  inputs: Record<string, string>;
  returnRunDetails: boolean;
  runId: number;
  at: Date;
}

export interface MergeRecord {
  repo: string;
  number: number;
  sha: string;
  method: MergeMethod;
  /** the head SHA the caller passed, if any */
  expectedHeadSha: string | null;
  mergedBy: string;
  viaAutoMerge: boolean;
  at: Date;
}

export interface AutoMergeRequest {
  repo: string;
  number: number;
  action: "enable" | "disable";
  expectedHeadOid: string | null;
  mergeMethod: string | null;
  /** null when GitHub accepted it, else the error message it answered */
  error: string | null;
  at: Date;
}

export interface ProtectionRuleReview {
  repo: string;
  runId: number;
  environmentName: string;
  state: "approved" | "rejected";
  comment: string;
  at: Date;
}

export interface RepoState {
  id: number;
  nodeId: string;
  owner: UserState;
  name: string;
  fullName: string;
  defaultBranch: string;
  private: boolean;
  installationId: number;
  createdAt: string;
  allowAutoMerge: boolean;
  allowedMergeMethods: Set<MergeMethod>;
  branches: Map<string, string>;
  commits: Map<string, CommitState>;
  trees: Map<string, TreeNode>;
  blobs: Map<string, string>;
  /** issues and pulls share one number sequence */
  issues: Map<number, IssueState>;
  nextNumber: number;
  comments: Map<number, CommentState>;
  checkRuns: Map<number, CheckRunState>;
  workflows: Map<string, WorkflowState>;
  runs: Map<number, RunState>;
  artifacts: Map<number, ArtifactState>;
  permissions: Map<string, Role>;
  /** branch → required check names */
  protection: Map<string, string[]>;
  dispatches: DispatchRecord[];
  merges: MergeRecord[];
  autoMergeRequests: AutoMergeRequest[];
  protectionRuleReviews: ProtectionRuleReview[];
}

export interface OrgState {
  login: string;
  roles: Map<string, "admin" | "member">;
  /** team slug → member logins */
  teams: Map<string, { id: number; members: Set<string> }>;
}

/** All state of one fake GitHub. Ids come from one counter per kind so they are stable across runs. */
export class Store {
  readonly users = new Map<string, UserState>();
  readonly installations = new Map<number, InstallationState>();
  readonly tokens = new Map<string, TokenState>();
  readonly repos = new Map<string, RepoState>();
  readonly orgs = new Map<string, OrgState>();
  private readonly counters = new Map<string, number>();
  /** how long an installation token lives (GitHub: one hour) */
  tokenTtlMs = 3_600_000;
  /** how long an artifact can be downloaded (GitHub's default: 90 days) */
  artifactRetentionDays = 90;
  /** false: dispatches answer 204 without the run, as a GitHub Enterprise Server before `return_run_details` */
  dispatchRunDetails = true;

  constructor(
    readonly appId: number,
    readonly appSlug: string,
  ) {}

  nextId(kind: string, start = 1000): number {
    const next = (this.counters.get(kind) ?? start) + 1;
    this.counters.set(kind, next);
    return next;
  }

  /** A user, created on first mention; `[bot]` logins are bots. */
  user(login: string, type?: UserType): UserState {
    const known = this.users.get(login.toLowerCase());
    if (known) return known;
    const id = this.nextId("user", 100_000);
    const kind: UserType = type ?? (login.endsWith("[bot]") ? "Bot" : "User");
    const created: UserState = { login, id, nodeId: nodeId(kind === "Bot" ? "BOT" : "U", id), type: kind };
    this.users.set(login.toLowerCase(), created);
    return created;
  }

  get botLogin(): string {
    return `${this.appSlug}[bot]`;
  }

  get bot(): UserState {
    return this.user(this.botLogin, "Bot");
  }

  repo(fullName: string): RepoState {
    const repo = this.repos.get(fullName.toLowerCase());
    if (!repo) throw new FakeGitHubUsageError(`fake GitHub: no repository ${fullName}; call addRepo first`);
    return repo;
  }

  findRepo(owner: string, name: string): RepoState | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  org(login: string): OrgState {
    const key = login.toLowerCase();
    let org = this.orgs.get(key);
    if (!org) {
      org = { login, roles: new Map(), teams: new Map() };
      this.orgs.set(key, org);
    }
    return org;
  }

  pull(repo: RepoState, number: number): PullState {
    const pull = repo.issues.get(number)?.pull;
    if (!pull) throw new FakeGitHubUsageError(`fake GitHub: ${repo.fullName} has no pull request #${number}`);
    return pull;
  }

  pullByNodeId(id: string): PullState | undefined {
    for (const repo of this.repos.values()) {
      for (const issue of repo.issues.values()) if (issue.pull?.nodeId === id) return issue.pull;
    }
    return undefined;
  }
}

/** GitHub-style global node id: a type prefix and an opaque base64 part. */
export function nodeId(prefix: string, id: number): string {
  return `${prefix}_kwDO${Buffer.from(`${prefix}:${id}`).toString("base64url")}`;
}

/** GitHub timestamps have no milliseconds: `2026-01-01T00:00:00Z`. */
export function iso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
