/** Shared set-up for the pull-request flow tests: configuration, opening PRs, waiting for quiet. */

import type { CheckRunState, CommentState, PullState, RepoState } from "../../support/fake-github/index.js";
import type { Harness } from "../../support/harness.js";
import { issueCommentEvent, pullRequestEvent } from "../../support/webhooks.js";

export function stackDoc(name: string, environment: string, dir: string, kind = "aws_rds"): string {
  return `apiVersion: flowgate/v1
kind: Stack
metadata: { name: ${name} }
spec:
  kind: ${kind}
  environment: ${environment}
  dir: ${dir}
`;
}

export const PRODUCTION_POLICY = `apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: production-careful }
spec:
  selector: { kind: environment, id: production }
  flowControl:
    previewBeforeUpdateOrDestroy: true
    pauseBetweenPreviewAndUpdateOrDestroy: true
    approvalRules:
      - approvers: { minRequired: 2 }
`;

/** Two production stacks under `infra/prod/` and the careful production policy. */
export const TWO_STACKS = [
  stackDoc("billing-db", "production", "infra/prod/billing-db"),
  stackDoc("network", "production", "infra/prod/network", "aws_vpc"),
  PRODUCTION_POLICY,
].join("---\n");

export const TWO_STACK_FILES = {
  ".github/flowgate/stacks.yml": TWO_STACKS,
  "infra/prod/billing-db/main.tf": "# db\n",
  "infra/prod/network/main.tf": "# network\n",
};

export interface OpenedPull {
  pull: PullState;
  head: string;
}

/** Commits `files` on a new branch, opens a PR for it and sends `opened`. */
export async function openPull(
  h: Harness,
  repo: RepoState,
  branch: string,
  files: Record<string, string | null>,
  options: { user?: string; draft?: boolean; fork?: boolean } = {},
): Promise<OpenedPull> {
  const user = options.user ?? "alice";
  const head = h.gh.commit(repo.fullName, branch, files, `Change ${branch}`, { author: user });
  const pull = h.gh.openPull({
    repo: repo.fullName,
    head: { ref: branch, sha: head },
    user,
    ...(options.draft !== undefined ? { draft: options.draft } : {}),
    ...(options.fork !== undefined ? { fork: options.fork } : {}),
  });
  const delivery = await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "opened", pull));
  if (delivery.status >= 300) throw new Error(`webhook refused: ${delivery.status}`);
  return { pull, head };
}

export function latestCheck(
  h: Harness,
  repo: RepoState,
  sha: string,
  name: string,
): CheckRunState | undefined {
  return h.gh.checkRuns(repo.fullName, { headSha: sha, name }).at(-1);
}

/** The `flowgate` check once it has `conclusion` (or is in progress, for `"in_progress"`). */
export function waitForAggregate(
  h: Harness,
  repo: RepoState,
  sha: string,
  conclusion: string,
  what = `flowgate ${conclusion} on ${sha.slice(0, 7)}`,
): Promise<CheckRunState> {
  return h.waitFor(() => {
    const check = latestCheck(h, repo, sha, "flowgate");
    if (!check) return undefined;
    if (conclusion === "in_progress") return check.status === "in_progress" ? check : undefined;
    return check.conclusion === conclusion ? check : undefined;
  }, what);
}

/** The sticky comment: the app's own comment with the marker. */
export function sticky(h: Harness, repo: RepoState, number: number) {
  return h.gh
    .comments(repo.fullName, number)
    .filter((c) => c.viaApp && c.body.includes("<!-- flowgate:sticky -->"));
}

/**
 * Waits until flowgate has nothing left to do right now: no webhook in flight, no queued or running
 * work (delayed timers such as job deadlines do not count), twice in a row. Used before asserting
 * that something did NOT happen.
 */
export async function quiet(h: Harness): Promise<void> {
  const queues = h.app.runtime.queues;
  let calm = 0;
  await h.waitFor(async () => {
    await h.gh.settle();
    let busy = 0;
    for (const queue of [queues.events, queues.pulls, queues.jobs]) {
      const counts = await queue.getJobCounts("waiting", "active", "prioritized", "waiting-children");
      busy += Object.values(counts).reduce((a, b) => a + b, 0);
    }
    calm = busy === 0 ? calm + 1 : 0;
    return calm >= 3;
  }, "flowgate to go quiet");
}

/** A person comments on the PR; the comment (as the fake holds it) once its webhook was delivered. */
export async function comment(
  h: Harness,
  pull: PullState,
  login: string,
  body: string,
): Promise<CommentState> {
  const added = h.gh.addComment(pull.repo.fullName, pull.number, { login, body });
  await h.gh.sendWebhook("issue_comment", issueCommentEvent(h.gh, pull, added));
  return added;
}
