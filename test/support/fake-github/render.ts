/**
 * REST response shapes built from state. Webhook payload builders reuse these, so what a
 * webhook says about a pull request or a run is what the API answers about it.
 */
import type { FileChange } from "./git.js";
import { mergeStatus, pullCommits, pullFileChanges } from "./merge.js";
import type {
  ArtifactState,
  CheckRunState,
  CommentState,
  CommitState,
  InstallationState,
  IssueState,
  LabelState,
  PullState,
  ReactionState,
  RepoState,
  ReviewState,
  RunState,
  Store,
  UserState,
  WorkflowState,
} from "./state.js";

export type Json = Record<string, unknown>;

export const HTML = "https://github.com";

/** What flowgate's manifest asks for; the fake does not enforce permissions. */
const APP_PERMISSIONS = {
  actions: "write",
  checks: "write",
  contents: "write",
  issues: "write",
  pull_requests: "write",
  members: "read",
  metadata: "read",
};
const APP_EVENTS =
  "check_run issue_comment merge_group pull_request pull_request_review push workflow_run".split(" ");

/** Everything a renderer needs: the API base URL and the store. */
export class Renderer {
  constructor(
    readonly store: Store,
    readonly api: () => string,
  ) {}

  user(user: UserState): Json {
    return {
      login: user.login,
      id: user.id,
      node_id: user.nodeId,
      avatar_url: `https://avatars.githubusercontent.com/u/${user.id}?v=4`,
      url: `${this.api()}/users/${user.login}`,
      html_url:
        user.type === "Bot" ? `${HTML}/apps/${user.login.replace(/\[bot\]$/, "")}` : `${HTML}/${user.login}`,
      type: user.type,
      site_admin: false,
    };
  }

  app(): Json {
    const owner = this.store.installations.values().next().value?.account;
    return {
      id: this.store.appId,
      slug: this.store.appSlug,
      client_id: `Iv1.${this.store.appId}`,
      node_id: `A_kwDO${this.store.appId}`,
      owner: owner ? this.user(owner) : null,
      name: this.store.appSlug,
      description: "",
      external_url: `${HTML}/apps/${this.store.appSlug}`,
      html_url: `${HTML}/apps/${this.store.appSlug}`,
      created_at: "2026-01-01T00:00:00Z",
      updated_at: "2026-01-01T00:00:00Z",
      permissions: APP_PERMISSIONS,
      events: APP_EVENTS,
      installations_count: this.store.installations.size,
    };
  }

  installation(inst: InstallationState): Json {
    return {
      id: inst.id,
      account: this.user(inst.account),
      repository_selection: "selected",
      access_tokens_url: `${this.api()}/app/installations/${inst.id}/access_tokens`,
      repositories_url: `${this.api()}/installation/repositories`,
      html_url: `${HTML}/organizations/${inst.account.login}/settings/installations/${inst.id}`,
      app_id: this.store.appId,
      app_slug: this.store.appSlug,
      target_id: inst.account.id,
      target_type: inst.account.type,
      permissions: APP_PERMISSIONS,
      events: APP_EVENTS,
      created_at: inst.createdAt,
      updated_at: inst.createdAt,
      single_file_name: null,
      suspended_by: null,
      suspended_at: inst.suspended ? inst.createdAt : null,
    };
  }

  repo(repo: RepoState): Json {
    const url = `${this.api()}/repos/${repo.fullName}`;
    const head = repo.branches.get(repo.defaultBranch);
    const pushedAt = head ? repo.commits.get(head)?.committer.date : undefined;
    return {
      id: repo.id,
      node_id: repo.nodeId,
      name: repo.name,
      full_name: repo.fullName,
      private: repo.private,
      owner: this.user(repo.owner),
      html_url: `${HTML}/${repo.fullName}`,
      description: null,
      fork: false,
      url,
      created_at: repo.createdAt,
      updated_at: pushedAt ?? repo.createdAt,
      pushed_at: pushedAt ?? repo.createdAt,
      clone_url: `${HTML}/${repo.fullName}.git`,
      visibility: repo.private ? "private" : "public",
      archived: false,
      disabled: false,
      default_branch: repo.defaultBranch,
      allow_auto_merge: repo.allowAutoMerge,
      allow_merge_commit: repo.allowedMergeMethods.has("merge"),
      allow_squash_merge: repo.allowedMergeMethods.has("squash"),
      allow_rebase_merge: repo.allowedMergeMethods.has("rebase"),
      delete_branch_on_merge: false,
    };
  }

  /** The short form GitHub lists for an installation's repositories in webhooks. */
  repoMini(repo: RepoState): Json {
    return {
      id: repo.id,
      node_id: repo.nodeId,
      name: repo.name,
      full_name: repo.fullName,
      private: repo.private,
    };
  }

  authorAssociation(repo: RepoState, login: string): string {
    if (repo.owner.login.toLowerCase() === login.toLowerCase()) return "OWNER";
    if (this.store.orgs.get(repo.owner.login.toLowerCase())?.roles.has(login.toLowerCase())) return "MEMBER";
    const role = repo.permissions.get(login.toLowerCase());
    if (role && role !== "none") return "COLLABORATOR";
    return "NONE";
  }

  label(label: LabelState, repo: RepoState): Json {
    return {
      id: label.id,
      node_id: label.nodeId,
      url: `${this.api()}/repos/${repo.fullName}/labels/${encodeURIComponent(label.name)}`,
      name: label.name,
      color: label.color,
      default: false,
      description: null,
    };
  }

  commitSummary(repo: RepoState, commit: CommitState): Json {
    const url = `${this.api()}/repos/${repo.fullName}/commits/${commit.sha}`;
    const person = (p: CommitState["author"]) => ({ name: p.name, email: p.email, date: p.date });
    const account = (login: string | null) => (login ? this.user(this.store.user(login)) : null);
    return {
      sha: commit.sha,
      node_id: `C_kwDO${commit.sha.slice(0, 12)}`,
      commit: {
        author: person(commit.author),
        committer: person(commit.committer),
        message: commit.message,
        tree: {
          sha: commit.treeSha,
          url: `${this.api()}/repos/${repo.fullName}/git/trees/${commit.treeSha}`,
        },
        url: `${this.api()}/repos/${repo.fullName}/git/commits/${commit.sha}`,
        comment_count: 0,
        verification: {
          verified: false,
          reason: "unsigned",
          signature: null,
          payload: null,
          verified_at: null,
        },
      },
      url,
      html_url: `${HTML}/${repo.fullName}/commit/${commit.sha}`,
      comments_url: `${url}/comments`,
      author: account(commit.author.login),
      committer: account(commit.committer.login),
      parents: commit.parents.map((sha) => ({
        sha,
        url: `${this.api()}/repos/${repo.fullName}/commits/${sha}`,
        html_url: `${HTML}/${repo.fullName}/commit/${sha}`,
      })),
    };
  }

  fileChange(repo: RepoState, ref: string, change: FileChange): Json {
    const path = change.filename.split("/").map(encodeURIComponent).join("/");
    return {
      sha: change.sha,
      filename: change.filename,
      status: change.status,
      additions: change.additions,
      deletions: change.deletions,
      changes: change.additions + change.deletions,
      blob_url: `${HTML}/${repo.fullName}/blob/${ref}/${path}`,
      raw_url: `${HTML}/${repo.fullName}/raw/${ref}/${path}`,
      contents_url: `${this.api()}/repos/${repo.fullName}/contents/${path}?ref=${ref}`,
      patch: change.patch,
    };
  }

  pullRef(pull: PullState, side: "head" | "base"): Json {
    const repo = pull.repo;
    if (side === "base") {
      return {
        label: `${repo.owner.login}:${pull.base.ref}`,
        ref: pull.base.ref,
        sha: pull.base.sha,
        user: this.user(repo.owner),
        repo: this.repo(repo),
      };
    }
    const fork = pull.head.fork;
    const headRepo = fork
      ? {
          ...this.repo(repo),
          id: fork.id,
          node_id: fork.nodeId,
          name: fork.name,
          full_name: `${fork.owner.login}/${fork.name}`,
          owner: this.user(fork.owner),
          html_url: `${HTML}/${fork.owner.login}/${fork.name}`,
          url: `${this.api()}/repos/${fork.owner.login}/${fork.name}`,
          fork: true,
        }
      : this.repo(repo);
    const owner = fork ? fork.owner : repo.owner;
    return {
      label: `${owner.login}:${pull.head.ref}`,
      ref: pull.head.ref,
      sha: pull.head.sha,
      user: this.user(owner),
      repo: headRepo,
    };
  }

  /** `full` adds the fields only `GET /pulls/{n}` returns (merged, mergeable, counts). */
  pull(pull: PullState, full: boolean): Json {
    const repo = pull.repo;
    const issue = pull.issue;
    const url = `${this.api()}/repos/${repo.fullName}/pulls/${pull.number}`;
    const simple: Json = {
      url,
      id: pull.id,
      node_id: pull.nodeId,
      html_url: `${HTML}/${repo.fullName}/pull/${pull.number}`,
      issue_url: `${this.api()}/repos/${repo.fullName}/issues/${pull.number}`,
      commits_url: `${url}/commits`,
      comments_url: `${this.api()}/repos/${repo.fullName}/issues/${pull.number}/comments`,
      number: pull.number,
      state: issue.state,
      locked: false,
      title: issue.title,
      user: this.user(issue.user),
      body: issue.body,
      labels: issue.labels.map((l) => this.label(l, repo)),
      milestone: null,
      active_lock_reason: null,
      created_at: issue.createdAt,
      updated_at: issue.updatedAt,
      closed_at: issue.closedAt,
      merged_at: pull.mergedAt,
      merge_commit_sha: pull.mergeCommitSha,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      head: this.pullRef(pull, "head"),
      base: this.pullRef(pull, "base"),
      author_association: this.authorAssociation(repo, issue.user.login),
      auto_merge: pull.autoMerge
        ? {
            enabled_by: this.user(pull.autoMerge.enabledBy),
            merge_method: pull.autoMerge.mergeMethod,
            commit_title: "",
            commit_message: "",
          }
        : null,
      draft: pull.draft,
    };
    if (!full) return simple;
    const status = mergeStatus(repo, pull);
    const changes = pullFileChanges(pull);
    return {
      ...simple,
      merged: pull.merged,
      mergeable: status.mergeable,
      rebaseable: status.mergeable,
      mergeable_state: status.state,
      merged_by: pull.mergedBy ? this.user(pull.mergedBy) : null,
      comments: [...repo.comments.values()].filter((c) => c.issueNumber === pull.number).length,
      review_comments: 0,
      maintainer_can_modify: false,
      commits: pullCommits(pull).length,
      additions: changes.reduce((sum, c) => sum + c.additions, 0),
      deletions: changes.reduce((sum, c) => sum + c.deletions, 0),
      changed_files: changes.length,
    };
  }

  issue(issue: IssueState): Json {
    const repo = issue.repo;
    const url = `${this.api()}/repos/${repo.fullName}/issues/${issue.number}`;
    return {
      url,
      repository_url: `${this.api()}/repos/${repo.fullName}`,
      comments_url: `${url}/comments`,
      html_url: `${HTML}/${repo.fullName}/${issue.pull ? "pull" : "issues"}/${issue.number}`,
      id: issue.id,
      node_id: issue.nodeId,
      number: issue.number,
      title: issue.title,
      user: this.user(issue.user),
      labels: issue.labels.map((l) => this.label(l, repo)),
      state: issue.state,
      locked: false,
      assignee: null,
      assignees: [],
      milestone: null,
      comments: [...repo.comments.values()].filter((c) => c.issueNumber === issue.number).length,
      created_at: issue.createdAt,
      updated_at: issue.updatedAt,
      closed_at: issue.closedAt,
      author_association: this.authorAssociation(repo, issue.user.login),
      body: issue.body,
      ...(issue.pull
        ? {
            draft: issue.pull.draft,
            pull_request: {
              url: `${this.api()}/repos/${repo.fullName}/pulls/${issue.number}`,
              html_url: `${HTML}/${repo.fullName}/pull/${issue.number}`,
              merged_at: issue.pull.mergedAt,
            },
          }
        : {}),
    };
  }

  reactionCounts(reactions: ReactionState[]): Json {
    const count = (content: string) => reactions.filter((r) => r.content === content).length;
    return {
      total_count: reactions.length,
      "+1": count("+1"),
      "-1": count("-1"),
      laugh: count("laugh"),
      hooray: count("hooray"),
      confused: count("confused"),
      heart: count("heart"),
      rocket: count("rocket"),
      eyes: count("eyes"),
    };
  }

  comment(comment: CommentState): Json {
    const repo = comment.repo;
    const url = `${this.api()}/repos/${repo.fullName}/issues/comments/${comment.id}`;
    const isPull = repo.issues.get(comment.issueNumber)?.pull !== null;
    return {
      id: comment.id,
      node_id: comment.nodeId,
      url,
      html_url: `${HTML}/${repo.fullName}/${isPull ? "pull" : "issues"}/${comment.issueNumber}#issuecomment-${comment.id}`,
      body: comment.body,
      user: this.user(comment.user),
      created_at: comment.createdAt,
      updated_at: comment.updatedAt,
      issue_url: `${this.api()}/repos/${repo.fullName}/issues/${comment.issueNumber}`,
      author_association: comment.viaApp ? "NONE" : this.authorAssociation(repo, comment.user.login),
      performed_via_github_app: comment.viaApp ? this.app() : null,
      reactions: { url: `${url}/reactions`, ...this.reactionCounts(comment.reactions) },
    };
  }

  reaction(reaction: ReactionState): Json {
    return {
      id: reaction.id,
      node_id: reaction.nodeId,
      user: this.user(reaction.user),
      content: reaction.content,
      created_at: reaction.createdAt,
    };
  }

  review(review: ReviewState, pull: PullState): Json {
    const repo = pull.repo;
    return {
      id: review.id,
      node_id: review.nodeId,
      user: this.user(review.user),
      body: review.body,
      state: review.state,
      html_url: `${HTML}/${repo.fullName}/pull/${pull.number}#pullrequestreview-${review.id}`,
      pull_request_url: `${this.api()}/repos/${repo.fullName}/pulls/${pull.number}`,
      author_association: this.authorAssociation(repo, review.user.login),
      _links: {
        html: { href: `${HTML}/${repo.fullName}/pull/${pull.number}#pullrequestreview-${review.id}` },
        pull_request: { href: `${this.api()}/repos/${repo.fullName}/pulls/${pull.number}` },
      },
      submitted_at: review.submittedAt,
      commit_id: review.commitId,
    };
  }

  /** The short pull request form GitHub puts in check runs and workflow runs. */
  pullLink(pull: PullState): Json {
    const repoLink = (repo: RepoState) => ({
      id: repo.id,
      url: `${this.api()}/repos/${repo.fullName}`,
      name: repo.name,
    });
    return {
      url: `${this.api()}/repos/${pull.repo.fullName}/pulls/${pull.number}`,
      id: pull.id,
      number: pull.number,
      head: { ref: pull.head.ref, sha: pull.head.sha, repo: repoLink(pull.repo) },
      base: { ref: pull.base.ref, sha: pull.base.sha, repo: repoLink(pull.repo) },
    };
  }

  checkRun(run: CheckRunState): Json {
    const repo = run.repo;
    const url = `${this.api()}/repos/${repo.fullName}/check-runs/${run.id}`;
    const pulls = [...repo.issues.values()]
      .map((i) => i.pull)
      .filter(
        (p): p is PullState =>
          p !== null && p.issue.state === "open" && !p.head.fork && p.head.sha === run.headSha,
      );
    return {
      id: run.id,
      head_sha: run.headSha,
      node_id: run.nodeId,
      external_id: run.externalId,
      url,
      html_url: `${HTML}/${repo.fullName}/runs/${run.id}`,
      details_url: run.detailsUrl ?? `${HTML}/${repo.fullName}/runs/${run.id}`,
      status: run.status,
      conclusion: run.conclusion,
      started_at: run.startedAt,
      completed_at: run.completedAt,
      output: {
        title: run.output.title,
        summary: run.output.summary,
        text: run.output.text,
        annotations_count: run.output.annotationsCount,
        annotations_url: `${url}/annotations`,
      },
      name: run.name,
      check_suite: { id: run.checkSuiteId },
      app:
        run.appId === this.store.appId
          ? this.app()
          : { id: run.appId, slug: `app-${run.appId}`, name: `app ${run.appId}` },
      pull_requests: pulls.map((p) => this.pullLink(p)),
      actions: run.actions,
    };
  }

  workflow(repo: RepoState, wf: WorkflowState): Json {
    return {
      id: wf.id,
      node_id: wf.nodeId,
      name: wf.name,
      path: wf.path,
      state: "active",
      created_at: wf.createdAt,
      updated_at: wf.createdAt,
      url: `${this.api()}/repos/${repo.fullName}/actions/workflows/${wf.id}`,
      html_url: `${HTML}/${repo.fullName}/blob/${repo.defaultBranch}/${wf.path}`,
      badge_url: `${HTML}/${repo.fullName}/workflows/${encodeURIComponent(wf.name)}/badge.svg`,
    };
  }

  run(run: RunState): Json {
    const repo = run.repo;
    const url = `${this.api()}/repos/${repo.fullName}/actions/runs/${run.id}`;
    const commit = repo.commits.get(run.headSha);
    return {
      id: run.id,
      name: run.name,
      node_id: run.nodeId,
      head_branch: run.headBranch,
      head_sha: run.headSha,
      path: run.workflow.path,
      display_title: run.displayTitle,
      run_number: run.runNumber,
      event: run.event,
      status: run.status,
      conclusion: run.conclusion,
      workflow_id: run.workflow.id,
      check_suite_id: run.checkSuiteId,
      check_suite_node_id: `CS_kwDO${run.checkSuiteId}`,
      url,
      html_url: `${HTML}/${repo.fullName}/actions/runs/${run.id}`,
      pull_requests: [],
      created_at: run.createdAt,
      updated_at: run.updatedAt,
      actor: this.user(run.actor),
      triggering_actor: this.user(run.triggeringActor),
      run_attempt: run.runAttempt,
      referenced_workflows: [],
      run_started_at: run.runStartedAt,
      logs_url: `${url}/logs`,
      artifacts_url: `${url}/artifacts`,
      cancel_url: `${url}/cancel`,
      rerun_url: `${url}/rerun`,
      previous_attempt_url: run.runAttempt > 1 ? `${url}/attempts/${run.runAttempt - 1}` : null,
      workflow_url: `${this.api()}/repos/${repo.fullName}/actions/workflows/${run.workflow.id}`,
      head_commit: commit
        ? {
            id: commit.sha,
            tree_id: commit.treeSha,
            message: commit.message,
            timestamp: commit.committer.date,
            author: { name: commit.author.name, email: commit.author.email },
            committer: { name: commit.committer.name, email: commit.committer.email },
          }
        : null,
      repository: this.repo(repo),
      head_repository: this.repo(repo),
    };
  }

  artifact(artifact: ArtifactState): Json {
    const repo = artifact.repo;
    const url = `${this.api()}/repos/${repo.fullName}/actions/artifacts/${artifact.id}`;
    const run = repo.runs.get(artifact.runId);
    return {
      id: artifact.id,
      node_id: artifact.nodeId,
      name: artifact.name,
      size_in_bytes: artifact.zip.byteLength,
      url,
      archive_download_url: `${url}/zip`,
      expired: artifact.expired,
      digest: null,
      created_at: artifact.createdAt,
      updated_at: artifact.createdAt,
      expires_at: artifact.expiresAt,
      workflow_run: run
        ? {
            id: run.id,
            repository_id: repo.id,
            head_repository_id: repo.id,
            head_branch: run.headBranch,
            head_sha: run.headSha,
          }
        : null,
    };
  }
}
