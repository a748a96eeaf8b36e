/**
 * Shared steps for the approval, command, gate, break-glass and auto-merge tests: a repository with
 * one stack, a PR on it, its plan run to completion, comments and reviews sent as GitHub sends them,
 * and views of what a person sees (the `flowgate` check, the sticky comment, reactions, replies).
 */

import type {
  CheckRunState,
  CommentState,
  DispatchRecord,
  IssueState,
  PullState,
  RepoState,
  UserType,
} from "../../support/fake-github/index.js";
import type { Harness } from "../../support/harness.js";
import { planResult, seedRepo } from "../../support/harness.js";
import { issueCommentEvent, pullRequestEvent } from "../../support/webhooks.js";

export const STACK = "billing-db";
export const STACK_DIR = "infra/prod/billing-db";
export const STACK_FILE = `${STACK_DIR}/main.tf`;

/** One production stack, optionally with extra spec lines (`gates: [...]`). */
export function stackYaml(extraSpec = "", name = STACK, dir = STACK_DIR, environment = "production"): string {
  return `apiVersion: flowgate/v1
kind: Stack
metadata: { name: ${name} }
spec:
  kind: aws_rds
  environment: ${environment}
  dir: ${dir}
${extraSpec}`;
}

/** A policy for the production environment; `flowControl` lines are indented by four spaces. */
export function policyYaml(flowControl: string, name = "production-careful", environment = "production") {
  return `apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: ${name} }
spec:
  selector: { kind: environment, id: ${environment} }
  flowControl:
${flowControl}`;
}

export const CAREFUL = policyYaml(`    previewBeforeUpdateOrDestroy: true
    pauseBetweenPreviewAndUpdateOrDestroy: true
`);

/** Seeds `acme/infra` with a stack and policy files and grants the usual people their roles. */
export function seedInfra(h: Harness, config: Record<string, string>, name = "infra"): RepoState {
  const repo = seedRepo(
    h.gh,
    { ...config, [STACK_FILE]: "# db\n", "infra/dev/app/main.tf": "# app\n" },
    name,
  );
  // alice writes the change; bob and carol review; dave can only read.
  for (const login of ["alice", "bob", "carol", "erin", "sre-alice"])
    h.gh.setPermission(repo.fullName, login, "write");
  h.gh.setPermission(repo.fullName, "dave", "read");
  return repo;
}

export interface OpenedPull {
  repo: RepoState;
  pull: PullState;
  head: string;
}

/** Opens a PR changing the stack's files (by `alice` unless told otherwise) and sends `opened`. */
export async function openPull(
  h: Harness,
  repo: RepoState,
  options: {
    author?: string;
    branch?: string;
    files?: Record<string, string>;
    labels?: string[];
    fork?: boolean;
  } = {},
): Promise<OpenedPull> {
  const branch = options.branch ?? "change";
  const head = h.gh.commit(repo.fullName, branch, options.files ?? { [STACK_FILE]: "# bigger db\n" });
  const pull = h.gh.openPull({
    repo: repo.fullName,
    head: { ref: branch, sha: head },
    user: options.author ?? "alice",
    ...(options.labels ? { labels: options.labels } : {}),
    ...(options.fork ? { fork: true } : {}),
  });
  await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "opened", pull));
  return { repo, pull, head };
}

/** The plan dispatch for a stack at a commit. */
export function waitForDispatch(
  h: Harness,
  repo: RepoState,
  sha: string,
  stack = STACK,
): Promise<DispatchRecord> {
  return h.waitFor(
    () =>
      h.gh
        .dispatches(repo.fullName)
        .find((d) => d.inputs.sha === sha && d.inputs.stack === stack && d.inputs.operation === "plan"),
    `a plan dispatch of ${stack} at ${sha.slice(0, 7)}`,
  );
}

/** Completes the plan run of a stack at a commit and waits until its plan check shows the result. */
export async function finishPlan(
  h: Harness,
  repo: RepoState,
  sha: string,
  summary = { add: 1, change: 2, destroy: 0, replace: 0 },
  stack = STACK,
): Promise<CheckRunState> {
  const dispatch = await waitForDispatch(h, repo, sha, stack);
  await h.gh.completeRun(repo.fullName, dispatch.runId, {
    conclusion: "success",
    result: planResult(dispatch, summary),
  });
  return h.waitFor(
    () => planCheck(h, repo, sha, stack).find((c) => c.conclusion === "success"),
    `the plan check of ${stack} to succeed`,
  );
}

/** Opens the PR and runs its plan: the usual starting point. */
export async function openPlannedPull(
  h: Harness,
  repo: RepoState,
  options: Parameters<typeof openPull>[2] = {},
): Promise<OpenedPull> {
  const opened = await openPull(h, repo, options);
  await finishPlan(h, repo, opened.head);
  return opened;
}

export function planCheck(h: Harness, repo: RepoState, sha: string, stack = STACK): CheckRunState[] {
  return h.gh.checkRuns(repo.fullName, { headSha: sha, name: `flowgate/plan: ${stack}` });
}

/** The `flowgate` check on a commit (flowgate writes one per head and edits it in place). */
export function gateCheck(h: Harness, repo: RepoState, sha: string): CheckRunState | undefined {
  return h.gh.checkRuns(repo.fullName, { headSha: sha, name: "flowgate" }).at(-1);
}

/** "success", "failure", or "pending" while the check is not completed. */
export function verdict(check: CheckRunState | undefined): string | undefined {
  if (!check) return undefined;
  return check.status === "completed" ? (check.conclusion ?? "none") : "pending";
}

/** Waits until the `flowgate` check on `sha` has the verdict and, if given, a summary holding `text`. */
export function waitForVerdict(
  h: Harness,
  opened: OpenedPull,
  expected: "success" | "failure" | "pending",
  text?: string | RegExp,
  sha = opened.pull.head.sha,
  timeoutMs?: number,
): Promise<CheckRunState> {
  return h.waitFor(
    () => {
      const check = gateCheck(h, opened.repo, sha);
      if (verdict(check) !== expected) return undefined;
      const summary = check?.output.summary ?? "";
      if (text !== undefined && !(typeof text === "string" ? summary.includes(text) : text.test(summary)))
        return undefined;
      return check;
    },
    `flowgate ${expected}${text ? ` mentioning ${text}` : ""} (now ${verdict(gateCheck(h, opened.repo, sha))}: ${gateCheck(h, opened.repo, sha)?.output.summary ?? "no check"})`,
    timeoutMs,
  );
}

/** flowgate's sticky comment on the PR. */
export function sticky(h: Harness, opened: OpenedPull): CommentState | undefined {
  return h.gh
    .comments(opened.repo.fullName, opened.pull.number)
    .find((c) => c.viaApp && c.body.includes("<!-- flowgate:sticky -->"));
}

export function waitForSticky(h: Harness, opened: OpenedPull, text: string | RegExp): Promise<CommentState> {
  return h.waitFor(
    () => {
      const c = sticky(h, opened);
      return c && (typeof text === "string" ? c.body.includes(text) : text.test(c.body)) ? c : undefined;
    },
    `the sticky comment to say ${text} (now: ${sticky(h, opened)?.body ?? "none"})`,
  );
}

/** A new comment by a person on a PR or an issue, sent as GitHub sends `issue_comment` `created`. */
export async function say(
  h: Harness,
  opened: { repo: RepoState; pull: PullState | IssueState },
  login: string,
  body: string,
  userType?: UserType,
): Promise<CommentState> {
  const comment = h.gh.addComment(opened.repo.fullName, opened.pull.number, {
    login,
    body,
    ...(userType ? { userType } : {}),
  });
  const delivery = await h.gh.sendWebhook("issue_comment", issueCommentEvent(h.gh, opened.pull, comment));
  if (delivery.status >= 300) throw new Error(`the comment webhook was refused: ${delivery.status}`);
  return comment;
}

export function reactionsOf(h: Harness, comment: CommentState): string[] {
  return h.gh.reactions(comment.id).map((r) => r.content);
}

/** Waits for flowgate's reaction to a comment (`+1` processed, `confused` refused). */
export function waitForReaction(h: Harness, comment: CommentState): Promise<string> {
  return h.waitFor(() => reactionsOf(h, comment)[0], `a reaction to comment ${comment.id}`);
}

/** Replies flowgate addressed to `login`, newest last. */
export function repliesTo(
  h: Harness,
  opened: { repo: RepoState; pull: { number: number } },
  login: string,
): CommentState[] {
  return h.gh
    .comments(opened.repo.fullName, opened.pull.number)
    .filter((c) => c.viaApp && c.body.startsWith(`@${login}`));
}

export function waitForReply(
  h: Harness,
  opened: { repo: RepoState; pull: { number: number } },
  login: string,
  text: string | RegExp,
): Promise<CommentState> {
  return h.waitFor(
    () =>
      repliesTo(h, opened, login).find((c) =>
        typeof text === "string" ? c.body.includes(text) : text.test(c.body),
      ),
    `a reply to @${login} saying ${text} (replies: ${repliesTo(h, opened, login)
      .map((c) => c.body)
      .join(" | ")})`,
  );
}

/** Pushes a commit to the PR and sends `synchronize`; returns the new head. */
export async function push(
  h: Harness,
  opened: OpenedPull,
  files: Record<string, string> = { [STACK_FILE]: `# db ${Math.random()}\n` },
  author?: string,
): Promise<string> {
  const { before, after } = h.gh.pushToPull(opened.repo.fullName, opened.pull.number, files, {
    ...(author ? { author } : {}),
  });
  await h.gh.sendWebhook(
    "pull_request",
    pullRequestEvent(h.gh, "synchronize", opened.pull, {
      before,
      after,
      ...(author ? { sender: author } : {}),
    }),
  );
  return after;
}

/** Waits until the wall clock is past the second of a GitHub timestamp (they have whole seconds). */
export async function nextWholeSecond(stamp: string): Promise<void> {
  const next = Date.parse(stamp) + 1000;
  while (Date.now() < next) await new Promise((r) => setTimeout(r, 20));
}

/** A short pause before asserting that something did NOT happen (never used to wait for success). */
export const settle = (ms = 600) => new Promise((r) => setTimeout(r, ms));
