/**
 * Webhook payload builders. Each starts from GitHub's own example for the event and action
 * (`@octokit/webhooks-examples`), deep-cloned, and overrides the fields that matter with what the
 * fake GitHub's API answers for the same objects, so a payload and a later API read agree.
 */
import { createRequire } from "node:module";
import type { WebhookDefinition } from "@octokit/webhooks-examples";
import { commitsBetween, diffSnapshots } from "./fake-github/git.js";
import type { FakeGitHub } from "./fake-github/index.js";
import type { Json } from "./fake-github/render.js";
import type {
  CheckRunState,
  CommentState,
  IssueState,
  PullState,
  RepoState,
  ReviewState,
  ReviewStateName,
  RunState,
  UserType,
} from "./fake-github/state.js";
import { FakeGitHubUsageError } from "./fake-github/state.js";

type EventName = WebhookDefinition["name"];

const definitions = createRequire(import.meta.url)("@octokit/webhooks-examples") as WebhookDefinition[];

export const ZERO_SHA = "0000000000000000000000000000000000000000";

/** A deep clone of GitHub's example for `name`/`action` (or the event's first example), its API URLs pointed at the fake. */
export function exampleFor(gh: FakeGitHub, name: EventName, action?: string): Json {
  const definition = definitions.find((d) => d.name === name);
  const examples = (definition?.examples ?? []) as Json[];
  const example = examples.find((e) => action === undefined || e.action === action) ?? examples[0];
  if (!example) throw new FakeGitHubUsageError(`webhooks: no example for ${name}`);
  const text = JSON.stringify(example).replaceAll("https://api.github.com", gh.url);
  const payload = JSON.parse(text) as Json;
  if (action !== undefined) payload.action = action;
  return payload;
}

function isPlainObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Overrides top-level fields; objects are merged one level deep so example-only keys stay. */
function overlay(payload: Json, fields: Json): Json {
  for (const [key, value] of Object.entries(fields)) {
    const current = payload[key];
    payload[key] = isPlainObject(current) && isPlainObject(value) ? { ...current, ...value } : value;
  }
  return payload;
}

/** repository, organization, installation and sender: what every app webhook carries. */
function envelope(gh: FakeGitHub, repo: RepoState, senderLogin: string): Json {
  const owner = repo.owner;
  const fields: Json = {
    repository: gh.render.repo(repo),
    installation: {
      id: repo.installationId,
      node_id: `MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u${repo.installationId}`,
    },
    sender: gh.render.user(gh.store.user(senderLogin)),
  };
  if (owner.type === "Organization") {
    fields.organization = {
      login: owner.login,
      id: owner.id,
      node_id: owner.nodeId,
      url: `${gh.url}/orgs/${owner.login}`,
      repos_url: `${gh.url}/orgs/${owner.login}/repos`,
      description: null,
    };
  }
  return fields;
}

function build(
  gh: FakeGitHub,
  name: EventName,
  action: string | undefined,
  repo: RepoState,
  sender: string,
  fields: Json,
) {
  const payload = exampleFor(gh, name, action);
  if (repo.owner.type !== "Organization") delete payload.organization;
  return overlay(payload, { ...envelope(gh, repo, sender), ...fields });
}

export interface PullRequestEventOptions {
  sender?: string;
  /** `synchronize`: the head before the push */
  before?: string;
  after?: string;
  /** `labeled` / `unlabeled`: the label's name */
  label?: string;
  /** `edited`: e.g. `{ base: { ref: { from: "main" }, sha: { from: "…" } } }` */
  changes?: Json;
}

export function pullRequestEvent(
  gh: FakeGitHub,
  action: string,
  pull: PullState,
  options: PullRequestEventOptions = {},
) {
  const fields: Json = { number: pull.number, pull_request: gh.render.pull(pull, true) };
  if (action === "synchronize") {
    fields.before = options.before ?? ZERO_SHA;
    fields.after = options.after ?? pull.head.sha;
  }
  if (options.label !== undefined) {
    const label = pull.issue.labels.find((l) => l.name === options.label) ?? {
      id: 0,
      nodeId: "",
      name: options.label,
      color: "ededed",
    };
    fields.label = gh.render.label(label, pull.repo);
  }
  if (options.changes) fields.changes = options.changes;
  const sender =
    options.sender ?? (action === "closed" && pull.mergedBy ? pull.mergedBy.login : pull.issue.user.login);
  return build(gh, "pull_request", action, pull.repo, sender, fields);
}

export interface CommentInput {
  login: string;
  body: string;
  userType?: UserType;
}

/**
 * `issue_comment`. Given a login and body, the comment is first added to the fake (so the app can
 * react to it or read it back); given a comment the fake already holds, it is used as is.
 */
export function issueCommentEvent(
  gh: FakeGitHub,
  target: PullState | IssueState,
  input: CommentInput | CommentState,
  action: "created" | "edited" | "deleted" = "created",
) {
  const issue = "issue" in target ? target.issue : target;
  const comment = "id" in input ? input : gh.addComment(issue.repo.fullName, issue.number, input);
  return build(gh, "issue_comment", action, issue.repo, comment.user.login, {
    issue: gh.render.issue(issue),
    comment: gh.render.comment(comment),
  });
}

export interface ReviewInput {
  login: string;
  state: ReviewStateName;
  /** default: the pull request's current head */
  commitId?: string;
  body?: string;
}

/** `pull_request_review`; a new review is added to the fake first. Webhooks spell the state in lower case. */
export function reviewEvent(
  gh: FakeGitHub,
  pull: PullState,
  input: ReviewInput | ReviewState,
  action: "submitted" | "edited" | "dismissed" = "submitted",
  /** who acted: the reviewer, or for `dismissed` whoever dismissed the review */
  sender?: string,
) {
  const review = "id" in input ? input : gh.addReview(pull.repo.fullName, pull.number, input);
  const rendered = gh.render.review(review, pull);
  return build(gh, "pull_request_review", action, pull.repo, sender ?? review.user.login, {
    review: { ...rendered, state: action === "dismissed" ? "dismissed" : review.state.toLowerCase() },
    pull_request: gh.render.pull(pull, false),
  });
}

export function checkRunEvent(
  gh: FakeGitHub,
  run: CheckRunState,
  action: "created" | "completed" | "rerequested",
  sender?: string,
) {
  return build(gh, "check_run", action, run.repo, sender ?? gh.store.botLogin, {
    check_run: gh.render.checkRun(run),
  });
}

/** A click on one of a check run's buttons (`actions`), by `login`. */
export function checkRunRequestedActionEvent(
  gh: FakeGitHub,
  run: CheckRunState,
  input: { login: string; identifier: string },
) {
  return build(gh, "check_run", "requested_action", run.repo, input.login, {
    check_run: gh.render.checkRun(run),
    requested_action: { identifier: input.identifier },
  });
}

export interface PushOptions {
  before: string;
  after: string;
  /** default: the default branch */
  ref?: string;
  pusher?: string;
  forced?: boolean;
}

export function pushEvent(gh: FakeGitHub, repo: RepoState, options: PushOptions) {
  const ref = options.ref ?? `refs/heads/${repo.defaultBranch}`;
  const pusher = gh.store.user(options.pusher ?? repo.owner.login);
  const deleted = options.after === ZERO_SHA;
  const pushed = deleted
    ? []
    : commitsBetween(repo, options.before === ZERO_SHA ? null : options.before, options.after);
  const commits = pushed.slice(-2048).map((commit) => {
    const parent = commit.parents[0] ? repo.commits.get(commit.parents[0]) : undefined;
    const changes = diffSnapshots(parent?.files ?? new Map(), commit.files);
    const pick = (status: string) => changes.filter((c) => c.status === status).map((c) => c.filename);
    const person = (p: typeof commit.author) => ({
      name: p.name,
      email: p.email,
      ...(p.login ? { username: p.login } : {}),
    });
    return {
      id: commit.sha,
      tree_id: commit.treeSha,
      distinct: true,
      message: commit.message,
      timestamp: commit.committer.date,
      url: `https://github.com/${repo.fullName}/commit/${commit.sha}`,
      author: person(commit.author),
      committer: person(commit.committer),
      added: pick("added"),
      removed: pick("removed"),
      modified: pick("modified"),
    };
  });
  const repository = gh.render.repo(repo);
  const epoch = (iso: unknown) => Math.floor(Date.parse(String(iso)) / 1000);
  return build(gh, "push", undefined, repo, pusher.login, {
    ref,
    before: options.before,
    after: options.after,
    created: options.before === ZERO_SHA,
    deleted,
    forced: options.forced ?? false,
    base_ref: null,
    compare: `https://github.com/${repo.fullName}/compare/${options.before.slice(0, 12)}...${options.after.slice(0, 12)}`,
    commits,
    head_commit: commits[commits.length - 1] ?? null,
    // push payloads carry these two as epoch seconds
    repository: {
      ...repository,
      created_at: epoch(repository.created_at),
      pushed_at: epoch(repository.pushed_at),
    },
    pusher: { name: pusher.login, email: `${pusher.id}+${pusher.login}@users.noreply.github.com` },
  });
}

export interface MergeGroupOptions {
  headSha: string;
  /** branch name, `main` */
  baseRef: string;
  pulls: PullState[];
  baseSha?: string;
}

export function mergeGroupEvent(gh: FakeGitHub, repo: RepoState, options: MergeGroupOptions) {
  const baseSha = options.baseSha ?? repo.branches.get(options.baseRef) ?? ZERO_SHA;
  const last = options.pulls[options.pulls.length - 1];
  const head = repo.commits.get(options.headSha);
  return build(gh, "merge_group", "checks_requested", repo, gh.store.botLogin, {
    merge_group: {
      head_sha: options.headSha,
      head_ref: `refs/heads/gh-readonly-queue/${options.baseRef}/pr-${last?.number ?? 0}-${baseSha}`,
      base_sha: baseSha,
      base_ref: `refs/heads/${options.baseRef}`,
      head_commit: head
        ? {
            id: head.sha,
            tree_id: head.treeSha,
            message: head.message,
            timestamp: head.committer.date,
            author: { name: head.author.name, email: head.author.email },
            committer: { name: head.committer.name, email: head.committer.email },
          }
        : null,
    },
  });
}

export function installationEvent(
  gh: FakeGitHub,
  action: "created" | "deleted" | "suspend" | "unsuspend" | "new_permissions_accepted",
  installationId: number,
  sender?: string,
) {
  const inst = gh.store.installations.get(installationId);
  if (!inst) throw new FakeGitHubUsageError(`webhooks: no installation ${installationId}`);
  const repos = [...gh.store.repos.values()].filter((r) => r.installationId === installationId);
  const payload = exampleFor(gh, "installation", action);
  delete payload.organization;
  return overlay(payload, {
    installation: gh.render.installation(inst),
    repositories: repos.map((r) => gh.render.repoMini(r)),
    requester: null,
    sender: gh.render.user(gh.store.user(sender ?? inst.account.login)),
  });
}

export function workflowRunEvent(
  gh: FakeGitHub,
  run: RunState,
  action: "requested" | "in_progress" | "completed",
) {
  return build(gh, "workflow_run", action, run.repo, run.triggeringActor.login, {
    workflow: gh.render.workflow(run.repo, run.workflow),
    workflow_run: gh.render.run(run),
  });
}

/** `deployment_protection_rule` `requested`: a run waits for flowgate to approve its environment. */
export function deploymentProtectionRuleEvent(gh: FakeGitHub, run: RunState, input: { environment: string }) {
  const repo = run.repo;
  const deploymentId = gh.store.nextId("deployment", 1_500_000_000);
  return {
    action: "requested",
    environment: input.environment,
    event: run.event,
    deployment_callback_url: `${gh.url}/repos/${repo.fullName}/actions/runs/${run.id}/deployment_protection_rule`,
    deployment: {
      url: `${gh.url}/repos/${repo.fullName}/deployments/${deploymentId}`,
      id: deploymentId,
      node_id: `DE_kwDO${deploymentId}`,
      sha: run.headSha,
      ref: run.headBranch,
      task: "deploy",
      payload: {},
      original_environment: input.environment,
      environment: input.environment,
      description: null,
      creator: gh.render.user(run.triggeringActor),
      created_at: run.createdAt,
      updated_at: run.updatedAt,
      statuses_url: `${gh.url}/repos/${repo.fullName}/deployments/${deploymentId}/statuses`,
      repository_url: `${gh.url}/repos/${repo.fullName}`,
      transient_environment: false,
      production_environment: false,
    },
    pull_requests: [],
    ...envelope(gh, repo, run.triggeringActor.login),
  };
}

/** `member` (a collaborator's access to the repository changed), by an admin. */
export function memberEvent(
  gh: FakeGitHub,
  repo: RepoState,
  input: { login: string; action: "added" | "edited" },
) {
  return build(gh, "member", input.action, repo, repo.owner.login, {
    member: gh.render.user(gh.store.user(input.login)),
  });
}
