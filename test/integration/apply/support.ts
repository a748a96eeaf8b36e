/**
 * Helpers for the apply pipeline's integration tests: configuration documents, merging through the
 * fake's API (which sends `pull_request` closed and `push` itself), and views of apply dispatches and
 * `flowgate/apply: <stack>` checks.
 */
import { expect } from "vitest";
import type { CheckRunState, DispatchRecord, PullState } from "../../support/fake-github/index.js";
import { type Harness, planResult } from "../../support/harness.js";
import { issueCommentEvent, pullRequestEvent, reviewEvent } from "../../support/webhooks.js";

export const REPO = "acme/infra";

export interface PlanSummary {
  add: number;
  change: number;
  destroy: number;
  replace: number;
}

export interface StackSpec {
  name: string;
  environment: string;
  kind?: string;
  dependsOn?: string[];
  gates?: string[];
}

function stackDoc(s: StackSpec): string {
  const extra = [
    s.dependsOn ? `  dependsOn: [${s.dependsOn.join(", ")}]` : "",
    s.gates ? `  gates: [${s.gates.join(", ")}]` : "",
  ].filter(Boolean);
  return [
    "apiVersion: flowgate/v1",
    "kind: Stack",
    `metadata: { name: ${s.name} }`,
    "spec:",
    `  kind: ${s.kind ?? "aws_s3"}`,
    `  environment: ${s.environment}`,
    `  dir: ${stackDir(s.name)}`,
    ...extra,
  ].join("\n");
}

const stackDir = (name: string) => `infra/${name}`;
export const stackFile = (name: string) => `${stackDir(name)}/main.tf`;

/** `.github/flowgate/*.yml` and one main.tf per stack, for `seedRepo`. */
export function configFiles(stacks: StackSpec[], ...docs: string[]): Record<string, string> {
  const files: Record<string, string> = {
    ".github/flowgate/stacks.yml": `${stacks.map(stackDoc).join("\n---\n")}\n`,
  };
  if (docs.length) files[".github/flowgate/policies.yml"] = `${docs.join("\n---\n")}\n`;
  for (const s of stacks) files[stackFile(s.name)] = `# ${s.name}\n`;
  return files;
}

/** Merges a PR through the fake's REST API (which then sends `pull_request` closed and `push`); returns the merge commit. */
export async function mergePull(h: Harness, number: number, repo = REPO): Promise<string> {
  const token = h.gh.issueToken(h.gh.repo(repo).installationId);
  const response = await fetch(`${h.gh.url}/repos/${repo}/pulls/${number}/merge`, {
    method: "PUT",
    headers: { authorization: `token ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ merge_method: "squash" }),
  });
  const body = (await response.json()) as { sha?: string; message?: string };
  if (!response.ok || !body.sha) throw new Error(`merge of #${number} failed: ${body.message}`);
  return body.sha;
}

export interface DispatchFilter {
  stack?: string;
  operation?: "plan" | "apply";
  sha?: string;
  /** whose run: an apply job's (after the merge, the default) or an open PR's plan job */
  job?: "apply" | "pr";
}

const JOB_KIND = { apply: /^\d+-a-/, pr: /^\d+-p\d+-/ };

export function dispatchesOf(h: Harness, filter: DispatchFilter = {}, repo = REPO): DispatchRecord[] {
  const kind = JOB_KIND[filter.job ?? "apply"];
  return h.gh
    .dispatches(repo)
    .filter(
      (d) =>
        kind.test(d.inputs.job_id ?? "") &&
        (!filter.stack || d.inputs.stack === filter.stack) &&
        (!filter.operation || d.inputs.operation === filter.operation) &&
        (!filter.sha || d.inputs.sha === filter.sha),
    );
}

export function waitForDispatch(
  h: Harness,
  filter: DispatchFilter & { nth?: number },
  repo = REPO,
): Promise<DispatchRecord> {
  const nth = filter.nth ?? 0;
  return h.waitFor(
    () => dispatchesOf(h, filter, repo)[nth],
    `${filter.job ?? "apply"} job dispatch #${nth} of ${filter.operation ?? "a run"} for ${filter.stack ?? "any stack"}${filter.sha ? ` at ${filter.sha.slice(0, 7)}` : ""}`,
  );
}

/** The plan an open PR gets, completed. */
export async function completePullPlan(h: Harness, stack: string, summary?: PlanSummary, repo = REPO) {
  const plan = await waitForDispatch(h, { stack, operation: "plan", job: "pr" }, repo);
  await completeRun(h, plan, summary ? { summary } : {}, repo);
  return plan;
}

/** Completes a dispatched run with a result.json for its own operation. */
export async function completeRun(
  h: Harness,
  dispatch: DispatchRecord,
  options: {
    conclusion?: "success" | "failure" | "cancelled";
    summary?: PlanSummary;
  } = {},
  repo = REPO,
): Promise<void> {
  const conclusion = options.conclusion ?? "success";
  await h.gh.completeRun(repo, dispatch.runId, {
    conclusion,
    result: conclusion === "success" ? planResult(dispatch, options.summary) : null,
  });
}

export function applyCheck(h: Harness, sha: string, stack: string, repo = REPO): CheckRunState | undefined {
  return h.gh.checkRuns(repo, { headSha: sha, name: `flowgate/apply: ${stack}` }).at(-1);
}

export function waitForApplyCheck(
  h: Harness,
  sha: string,
  stack: string,
  ok: (check: CheckRunState) => boolean,
  what: string,
  repo = REPO,
): Promise<CheckRunState> {
  return h.waitFor(() => {
    const check = applyCheck(h, sha, stack, repo);
    return check && ok(check) ? check : undefined;
  }, `flowgate/apply: ${stack} ${what}`);
}

export const concluded = (conclusion: string) => (c: CheckRunState) =>
  c.status === "completed" && c.conclusion === conclusion;

export const waitingForApproval = (c: CheckRunState) =>
  c.status === "in_progress" && (c.output.title ?? "").startsWith("waiting for approval");

/** Opens a PR that changes the given stacks' files and sends `opened`. */
export async function openPull(
  h: Harness,
  stacks: string[],
  options: { author?: string; branch?: string; files?: Record<string, string | null> } = {},
  repo = REPO,
): Promise<PullState> {
  const author = options.author ?? "alice";
  const branch = options.branch ?? `change-${stacks.join("-")}-${Date.now()}`;
  const files =
    options.files ?? Object.fromEntries(stacks.map((s) => [stackFile(s), `# ${s} changed ${branch}\n`]));
  const head = h.gh.commit(repo, branch, files, `change ${stacks.join(", ")}`, { author });
  const pull = h.gh.openPull({ repo, head: { ref: branch, sha: head }, user: author });
  await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "opened", pull));
  return pull;
}

/** An APPROVED review on the PR's head by `login`. */
export async function approveReview(h: Harness, pull: PullState, login: string): Promise<void> {
  await h.gh.sendWebhook("pull_request_review", reviewEvent(h.gh, pull, { login, state: "APPROVED" }));
}

/** A comment on a PR by `login`; returns the comment's id so its reactions and replies can be checked. */
export async function comment(h: Harness, pull: PullState, login: string, body: string): Promise<number> {
  const payload = issueCommentEvent(h.gh, pull, { login, body });
  await h.gh.sendWebhook("issue_comment", payload);
  return (payload as { comment: { id: number } }).comment.id;
}

/** The app's reply to a comment: a comment starting with `@login` made after it. */
export function waitForReply(h: Harness, pull: PullState, after: number, text: string, repo = REPO) {
  return h.waitFor(
    () =>
      h.gh
        .comments(repo, pull.number)
        .find((c) => c.id > after && c.user.type === "Bot" && c.body.includes(text)),
    `a reply containing "${text}"`,
  );
}

export function sticky(h: Harness, pull: PullState, repo = REPO) {
  return h.gh.comments(repo, pull.number).find((c) => c.body.includes("flowgate:sticky"));
}

export const settle = (ms = 400) => new Promise((r) => setTimeout(r, ms));

/** SPEC §7: each stack job is mirrored in one check run (`external_id` = job id), never in two. */
export function expectOneCheckPerJob(h: Harness, repo = REPO): void {
  if (!h.gh.store.repos.has(repo.toLowerCase())) return;
  const byJob = new Map<string, number>();
  for (const check of h.gh.checkRuns(repo)) {
    if (!check.name.startsWith("flowgate/apply: ") || !check.externalId) continue;
    byJob.set(check.externalId, (byJob.get(check.externalId) ?? 0) + 1);
  }
  expect([...byJob].filter(([, n]) => n > 1)).toEqual([]);
}
