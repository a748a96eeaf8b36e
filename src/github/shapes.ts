import { isBotAccount } from "../model/bots.js";
import type { PullFacts } from "../model/repo.js";
import type { PullInfo, WorkflowRun } from "./port.js";

// biome-ignore lint/suspicious/noExplicitAny: GitHub's JSON, read field by field
type Json = any;

/** A pull request as GitHub's REST API and webhooks both spell it, reduced to what flowgate reads. */
export function toPullInfo(p: Json): PullInfo {
  return {
    number: p.number,
    nodeId: p.node_id,
    state: p.state,
    merged: Boolean(p.merged ?? p.merged_at),
    mergeCommitSha: p.merge_commit_sha ?? null,
    draft: Boolean(p.draft),
    title: p.title ?? "",
    author: p.user?.login ?? "",
    authorIsBot: isBotAccount(p.user),
    headSha: p.head.sha,
    headRef: p.head.ref,
    headRepo: p.head.repo?.full_name ?? null,
    baseRef: p.base.ref,
    baseSha: p.base.sha,
    labels: (p.labels ?? []).map((l: Json) => l.name),
    mergeable: p.mergeable ?? null,
    ...(p.mergeable_state ? { mergeableState: p.mergeable_state } : {}),
    autoMergeEnabled: Boolean(p.auto_merge),
    updatedAt: p.updated_at ?? "",
  };
}

/** What flowgate remembers of a pull request (a fork is a head in another repository). */
export function toFacts(pull: PullInfo, repoFullName: string): PullFacts {
  return {
    number: pull.number,
    nodeId: pull.nodeId,
    headSha: pull.headSha,
    headRef: pull.headRef,
    baseRef: pull.baseRef,
    baseSha: pull.baseSha,
    author: pull.author,
    authorIsBot: pull.authorIsBot,
    draft: pull.draft,
    fork: pull.headRepo !== repoFullName,
    labels: pull.labels,
    state: pull.state,
    merged: pull.merged,
    mergeCommitSha: pull.mergeCommitSha,
  };
}

/** A workflow run as the REST API and the `workflow_run` webhook both spell it. */
export function toRun(r: Json): WorkflowRun {
  return {
    id: r.id,
    displayTitle: r.display_title ?? r.name ?? "",
    event: r.event,
    status: r.status,
    conclusion: r.conclusion ?? null,
    attempt: r.run_attempt ?? 1,
    actor: r.triggering_actor?.login ?? r.actor?.login ?? null,
    htmlUrl: r.html_url ?? "",
    createdAt: r.created_at ?? "",
    headSha: r.head_sha ?? "",
    path: r.path ?? "",
  };
}
