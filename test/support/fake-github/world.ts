/**
 * The data a fake GitHub serves: seeding methods that set it up the way a test needs, and views
 * that let a test assert on what the app did. `FakeGitHub` (index.ts) adds the server around it.
 */
import { newCheckRun } from "./api/checks.js";
import { issueToken } from "./auth.js";
import { applyChanges, createCommit, mergeBase, mergeSnapshots, resolveRef } from "./git.js";
import { defaultWorkflowYaml, readWorkflow, registerWorkflow, workflowPath } from "./runs.js";
import {
  type CheckRunState,
  type CommentState,
  type DispatchRecord,
  FakeGitHubUsageError,
  type GitPerson,
  type InstallationState,
  type IssueState,
  iso,
  type MergeableState,
  nodeId,
  type PullState,
  type ReactionState,
  type RepoState,
  type ReviewState,
  type ReviewStateName,
  type Role,
  type RunState,
  type Store,
  type UserState,
  type UserType,
  type WorkflowState,
} from "./state.js";

export class FakeGitHubWorld {
  private readonly labelIds = new Map<string, number>();

  constructor(
    readonly store: Store,
    protected readonly now: () => Date,
  ) {}

  /** Called when checks or mergeability may have changed; the server runs GitHub auto-merge there. */
  protected checksChanged(_repo: RepoState): void {}

  // ---- seeding --------------------------------------------------------------------------------

  addInstallation(input: {
    id?: number;
    account: { login: string; type: "Organization" | "User" };
  }): InstallationState {
    const id = input.id ?? this.store.nextId("installation", 30_000_000);
    if (this.store.installations.has(id))
      throw new FakeGitHubUsageError(`fake GitHub: installation ${id} exists`);
    const account = this.store.user(input.account.login, input.account.type);
    if (input.account.type === "Organization") this.store.org(input.account.login);
    const inst: InstallationState = { id, account, createdAt: iso(this.now()), suspended: false };
    this.store.installations.set(id, inst);
    return inst;
  }

  addRepo(input: {
    owner: string;
    name: string;
    id?: number;
    defaultBranch?: string;
    private?: boolean;
    installationId?: number;
    /** the first commit's files; default a README */
    files?: Record<string, string>;
    allowAutoMerge?: boolean;
  }): RepoState {
    const fullName = `${input.owner}/${input.name}`;
    if (this.store.repos.has(fullName.toLowerCase()))
      throw new FakeGitHubUsageError(`fake GitHub: ${fullName} exists`);
    const installationId = input.installationId ?? this.onlyInstallation();
    if (!this.store.installations.has(installationId)) {
      throw new FakeGitHubUsageError(
        `fake GitHub: no installation ${installationId}; call addInstallation first`,
      );
    }
    const id = input.id ?? this.store.nextId("repo", 700_000_000);
    const repo: RepoState = {
      id,
      nodeId: nodeId("R", id),
      owner: this.store.user(input.owner),
      name: input.name,
      fullName,
      defaultBranch: input.defaultBranch ?? "main",
      private: input.private ?? true,
      installationId,
      createdAt: iso(this.now()),
      allowAutoMerge: input.allowAutoMerge ?? true,
      allowedMergeMethods: new Set(["merge", "squash", "rebase"]),
      branches: new Map(),
      commits: new Map(),
      trees: new Map(),
      blobs: new Map(),
      issues: new Map(),
      nextNumber: 1,
      comments: new Map(),
      checkRuns: new Map(),
      workflows: new Map(),
      runs: new Map(),
      artifacts: new Map(),
      permissions: new Map(),
      protection: new Map(),
      dispatches: [],
      merges: [],
      autoMergeRequests: [],
      protectionRuleReviews: [],
    };
    this.store.repos.set(fullName.toLowerCase(), repo);
    const first = createCommit(repo, {
      parents: [],
      files: applyChanges(new Map(), input.files ?? { "README.md": `# ${input.name}\n` }),
      message: "Initial commit",
      author: this.person(repo.owner.login),
    });
    repo.branches.set(repo.defaultBranch, first.sha);
    return repo;
  }

  /**
   * Commits `files` (`null` deletes a file) on `branch`, creating the branch from `from` (default:
   * the default branch) when it does not exist. Returns the new commit's SHA.
   */
  commit(
    repoName: string,
    branch: string,
    files: Record<string, string | null>,
    message = "Update files",
    options: { author?: string; from?: string; date?: Date } = {},
  ): string {
    const repo = this.store.repo(repoName);
    const parentSha = repo.branches.get(branch) ?? this.resolve(repo, options.from ?? repo.defaultBranch);
    const parent = repo.commits.get(parentSha);
    const commit = createCommit(repo, {
      parents: [parentSha],
      files: applyChanges(parent?.files ?? new Map(), files),
      message,
      author: this.person(options.author ?? repo.owner.login, options.date),
    });
    repo.branches.set(branch, commit.sha);
    return commit.sha;
  }

  openPull(input: {
    repo: string;
    head: { ref: string; sha?: string };
    base?: string;
    user: string;
    title?: string;
    body?: string;
    draft?: boolean;
    fork?: boolean;
    labels?: string[];
  }): PullState {
    const repo = this.store.repo(input.repo);
    const base = input.base ?? repo.defaultBranch;
    const baseSha = this.resolve(repo, base);
    const headSha = input.head.sha ?? this.resolve(repo, input.head.ref);
    if (!repo.commits.has(headSha))
      throw new FakeGitHubUsageError(`fake GitHub: no commit ${headSha} in ${repo.fullName}`);
    if (!input.fork && !repo.branches.has(input.head.ref)) repo.branches.set(input.head.ref, headSha);
    const user = this.store.user(input.user);
    const issue = this.openIssue(repo.fullName, {
      title: input.title ?? `Change ${input.head.ref}`,
      user: input.user,
      body: input.body ?? "",
      labels: input.labels ?? [],
    });
    const number = issue.number;
    const id = this.store.nextId("pull", 1_800_000_000);
    const pull: PullState = {
      repo,
      number,
      id,
      nodeId: nodeId("PR", id),
      issue,
      draft: input.draft ?? false,
      head: {
        ref: input.head.ref,
        sha: headSha,
        fork: input.fork ? this.forkOf(repo, user) : null,
      },
      base: { ref: base, sha: baseSha },
      merged: false,
      mergedAt: null,
      mergedBy: null,
      mergeCommitSha: null,
      mergeableOverride: null,
      autoMerge: null,
      pushers: [user.login],
      reviews: [],
    };
    issue.pull = pull;
    return pull;
  }

  /** Pushes a commit to a pull request's head; returns the head before and after. */
  pushToPull(
    repoName: string,
    number: number,
    files: Record<string, string | null>,
    options: { message?: string; author?: string } = {},
  ): { before: string; after: string } {
    const repo = this.store.repo(repoName);
    const pull = this.store.pull(repo, number);
    const before = pull.head.sha;
    const parent = repo.commits.get(before);
    const author = options.author ?? pull.issue.user.login;
    const commit = createCommit(repo, {
      parents: [before],
      files: applyChanges(parent?.files ?? new Map(), files),
      message: options.message ?? "Update pull request",
      author: this.person(author),
    });
    if (!pull.head.fork) repo.branches.set(pull.head.ref, commit.sha);
    pull.head.sha = commit.sha;
    pull.base.sha = repo.branches.get(pull.base.ref) ?? pull.base.sha;
    if (!pull.pushers.includes(author)) pull.pushers.push(author);
    pull.issue.updatedAt = iso(this.now());
    return { before, after: commit.sha };
  }

  /** Changes a pull request's base branch (the `edited` event with `changes.base`). */
  changeBase(repoName: string, number: number, base: string): { from: string; sha: string } {
    const repo = this.store.repo(repoName);
    const pull = this.store.pull(repo, number);
    const from = pull.base.ref;
    const sha = pull.base.sha;
    pull.base = { ref: base, sha: this.resolve(repo, base) };
    // GitHub bumps the PR's updated_at when its base is edited, as for any edit.
    pull.issue.updatedAt = iso(this.now());
    return { from, sha };
  }

  closePull(repoName: string, number: number): PullState {
    const pull = this.store.pull(this.store.repo(repoName), number);
    pull.issue.state = "closed";
    pull.issue.closedAt = iso(this.now());
    pull.autoMerge = null;
    return pull;
  }

  setDraft(repoName: string, number: number, draft: boolean): PullState {
    const pull = this.store.pull(this.store.repo(repoName), number);
    pull.draft = draft;
    return pull;
  }

  setLabels(repoName: string, number: number, labels: string[]): IssueState {
    const repo = this.store.repo(repoName);
    const issue = repo.issues.get(number);
    if (!issue) throw new FakeGitHubUsageError(`fake GitHub: ${repo.fullName} has no issue #${number}`);
    issue.labels = labels.map((name) => {
      const id = this.labelId(repo, name);
      return { id, nodeId: nodeId("LA", id), name, color: "ededed" };
    });
    return issue;
  }

  /** Labels keep one id per repository and name. */
  private labelId(repo: RepoState, name: string): number {
    const key = `${repo.id}:${name}`;
    let id = this.labelIds.get(key);
    if (id === undefined) {
      id = this.store.nextId("label", 900_000);
      this.labelIds.set(key, id);
    }
    return id;
  }

  openIssue(
    repoName: string,
    input: { title: string; user: string; body?: string; labels?: string[] },
  ): IssueState {
    const repo = this.store.repo(repoName);
    const number = repo.nextNumber++;
    const now = iso(this.now());
    const issue: IssueState = {
      repo,
      number,
      id: this.store.nextId("issue", 2_000_000_000),
      nodeId: nodeId("I", number + repo.id),
      title: input.title,
      body: input.body ?? "",
      user: this.store.user(input.user),
      state: "open",
      labels: [],
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      pull: null,
    };
    repo.issues.set(number, issue);
    this.setLabels(repo.fullName, number, input.labels ?? []);
    return issue;
  }

  /** Sets a user's repository role; `maintain` and `triage` show as `role_name` like GitHub. */
  setPermission(repoName: string, login: string, role: Role): void {
    this.store.user(login);
    this.store.repo(repoName).permissions.set(login.toLowerCase(), role);
  }

  addTeam(org: string, slug: string, members: string[]): void {
    const state = this.store.org(org);
    const existing = state.teams.get(slug.toLowerCase());
    const team = existing ?? { id: this.store.nextId("team", 10_000), members: new Set<string>() };
    for (const login of members) {
      this.store.user(login);
      team.members.add(login.toLowerCase());
    }
    state.teams.set(slug.toLowerCase(), team);
  }

  /** Organization membership; `admin` is an owner. `null` removes the member. */
  setOrgRole(org: string, login: string, role: "admin" | "member" | null): void {
    this.store.user(login);
    const roles = this.store.org(org).roles;
    if (role) roles.set(login.toLowerCase(), role);
    else roles.delete(login.toLowerCase());
  }

  addReview(
    repoName: string,
    number: number,
    input: { login: string; state: ReviewStateName; commitId?: string; body?: string; submittedAt?: Date },
  ): ReviewState {
    const pull = this.store.pull(this.store.repo(repoName), number);
    const id = this.store.nextId("review", 1_600_000_000);
    const review: ReviewState = {
      id,
      nodeId: nodeId("PRR", id),
      user: this.store.user(input.login),
      body: input.body ?? "",
      state: input.state,
      commitId: input.commitId ?? pull.head.sha,
      submittedAt: iso(input.submittedAt ?? this.now()),
    };
    pull.reviews.push(review);
    return review;
  }

  /** A comment by a person (or another bot) on an issue or pull request. */
  addComment(
    repoName: string,
    number: number,
    input: { login: string; body: string; userType?: UserType },
  ): CommentState {
    const repo = this.store.repo(repoName);
    if (!repo.issues.has(number))
      throw new FakeGitHubUsageError(`fake GitHub: ${repo.fullName} has no issue #${number}`);
    const id = this.store.nextId("comment", 7_000_000);
    const now = iso(this.now());
    const comment: CommentState = {
      id,
      nodeId: nodeId("IC", id),
      repo,
      issueNumber: number,
      user: this.store.user(input.login, input.userType),
      body: input.body,
      createdAt: now,
      updatedAt: now,
      viaApp: false,
      reactions: [],
    };
    repo.comments.set(id, comment);
    return comment;
  }

  /**
   * `mergeable: "computed"` returns to computed mergeability (conflicts, drafts, required checks);
   * otherwise GitHub's answer is pinned to the given values.
   */
  setMergeable(
    repoName: string,
    number: number,
    mergeable: boolean | null | "computed",
    state?: MergeableState,
  ): void {
    const repo = this.store.repo(repoName);
    const pull = this.store.pull(repo, number);
    pull.mergeableOverride =
      mergeable === "computed"
        ? null
        : {
            mergeable,
            state: state ?? (mergeable === true ? "clean" : mergeable === false ? "dirty" : "unknown"),
          };
    this.checksChanged(repo);
  }

  /** Requires check runs named `requiredChecks` to pass on a branch (and lets auto-merge be enabled). */
  protectBranch(repoName: string, branch: string, input: { requiredChecks: string[] }): void {
    this.store.repo(repoName).protection.set(branch, [...input.requiredChecks]);
  }

  /**
   * Registers a workflow. Its file is committed to `branch` (default: the default branch) when
   * `yaml` is given or the file does not exist yet (then a workflow taking flowgate's inputs).
   */
  addWorkflow(
    repoName: string,
    fileName: string,
    options: { yaml?: string; branch?: string } = {},
  ): WorkflowState {
    const repo = this.store.repo(repoName);
    const path = workflowPath(fileName);
    const branch = options.branch ?? repo.defaultBranch;
    const head = repo.commits.get(this.resolve(repo, branch));
    if (options.yaml !== undefined || head?.files.get(path) === undefined) {
      this.commit(repo.fullName, branch, { [path]: options.yaml ?? defaultWorkflowYaml() }, `Add ${path}`);
    }
    const text = repo.commits.get(this.resolve(repo, branch))?.files.get(path) ?? "";
    const definition = readWorkflow(text);
    const known = repo.workflows.get(path);
    if (known && definition.ok && definition.value.name) known.name = definition.value.name;
    return (
      known ??
      registerWorkflow(this.store, repo, path, definition.ok ? definition.value.name : undefined, this.now())
    );
  }

  /** A check run made by another app (e.g. CI), so required checks and listings see it. */
  addCheckRun(
    repoName: string,
    input: { name: string; headSha: string; appId?: number; status?: string; conclusion?: string | null },
  ): CheckRunState {
    const repo = this.store.repo(repoName);
    const now = this.now();
    const run = newCheckRun(this.store, repo, {
      name: input.name,
      headSha: input.headSha,
      appId: input.appId ?? 15368,
      now,
    });
    run.writes = 1;
    if (input.status) run.status = input.status;
    if (input.conclusion) {
      run.status = "completed";
      run.conclusion = input.conclusion;
      run.completedAt = iso(now);
    }
    this.checksChanged(repo);
    return run;
  }

  /** An installation token, as `POST /app/installations/{id}/access_tokens` would issue it. */
  issueToken(installationId: number): string {
    if (!this.store.installations.has(installationId)) {
      throw new FakeGitHubUsageError(`fake GitHub: no installation ${installationId}`);
    }
    return issueToken(this.store, installationId, this.now().getTime() + this.store.tokenTtlMs, null).token;
  }

  expireArtifact(repoName: string, artifactId: number): void {
    const artifact = this.store.repo(repoName).artifacts.get(artifactId);
    if (!artifact) throw new FakeGitHubUsageError(`fake GitHub: no artifact ${artifactId} in ${repoName}`);
    artifact.expired = true;
  }

  /**
   * Builds a merge queue group: one merge commit per pull request on top of the base branch, on a
   * `gh-readonly-queue/<base>/pr-<n>-<base sha>` branch, like GitHub's merge queue.
   */
  createMergeGroup(
    repoName: string,
    input: { pulls: PullState[]; baseRef?: string },
  ): {
    headSha: string;
    baseSha: string;
    headRef: string;
  } {
    const repo = this.store.repo(repoName);
    const baseRef = input.baseRef ?? repo.defaultBranch;
    const baseSha = this.resolve(repo, baseRef);
    let tip = baseSha;
    for (const pull of input.pulls) {
      const ancestor = mergeBase(repo, tip, pull.head.sha);
      const snap = (sha: string | undefined) => (sha ? repo.commits.get(sha)?.files : undefined) ?? new Map();
      const { files } = mergeSnapshots(snap(ancestor), snap(tip), snap(pull.head.sha));
      tip = createCommit(repo, {
        parents: [tip, pull.head.sha],
        files,
        message: `Merge pull request #${pull.number} from ${repo.owner.login}/${pull.head.ref}\n\n${pull.issue.title}`,
        author: this.person("github-merge-queue[bot]"),
      }).sha;
    }
    const last = input.pulls[input.pulls.length - 1];
    const headRef = `gh-readonly-queue/${baseRef}/pr-${last?.number ?? 0}-${baseSha}`;
    repo.branches.set(headRef, tip);
    return { headSha: tip, baseSha, headRef };
  }

  // ---- views ----------------------------------------------------------------------------------

  repo(fullName: string): RepoState {
    return this.store.repo(fullName);
  }

  pull(repoName: string, number: number): PullState {
    return this.store.pull(this.store.repo(repoName), number);
  }

  /** Check runs in their latest state, oldest first. */
  checkRuns(repoName: string, filter: { headSha?: string; name?: string } = {}): CheckRunState[] {
    return [...this.store.repo(repoName).checkRuns.values()]
      .filter((r) => !filter.headSha || r.headSha === filter.headSha)
      .filter((r) => !filter.name || r.name === filter.name)
      .sort((a, b) => a.id - b.id);
  }

  comments(repoName: string, number: number): CommentState[] {
    return [...this.store.repo(repoName).comments.values()]
      .filter((c) => c.issueNumber === number)
      .sort((a, b) => a.id - b.id);
  }

  dispatches(repoName: string): DispatchRecord[] {
    return [...this.store.repo(repoName).dispatches];
  }

  runs(repoName: string): RunState[] {
    return [...this.store.repo(repoName).runs.values()].sort((a, b) => a.id - b.id);
  }

  reactions(commentId: number): ReactionState[] {
    for (const repo of this.store.repos.values()) {
      const comment = repo.comments.get(commentId);
      if (comment) return [...comment.reactions];
    }
    return [];
  }

  merges(repoName: string) {
    return [...this.store.repo(repoName).merges];
  }

  autoMergeRequests(repoName: string) {
    return [...this.store.repo(repoName).autoMergeRequests];
  }

  protectionRuleReviews(repoName: string) {
    return [...this.store.repo(repoName).protectionRuleReviews];
  }

  private resolve(repo: RepoState, ref: string): string {
    const commit = resolveRef(repo, ref);
    if (!commit) throw new FakeGitHubUsageError(`fake GitHub: no ref ${ref} in ${repo.fullName}`);
    return commit.sha;
  }

  private person(login: string, date?: Date): GitPerson {
    const user = this.store.user(login);
    return {
      name: login,
      email: `${user.id}+${login}@users.noreply.github.com`,
      date: iso(date ?? this.now()),
      login,
    };
  }

  private forkOf(repo: RepoState, owner: UserState): NonNullable<PullState["head"]["fork"]> {
    const id = this.store.nextId("repo", 700_000_000);
    return { owner, name: repo.name, id, nodeId: nodeId("R", id) };
  }

  private onlyInstallation(): number {
    const ids = [...this.store.installations.keys()];
    if (ids.length !== 1 || ids[0] === undefined) {
      throw new FakeGitHubUsageError(
        "fake GitHub: addRepo needs installationId when there is not exactly one installation",
      );
    }
    return ids[0];
  }
}
