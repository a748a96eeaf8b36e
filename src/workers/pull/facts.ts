import type { PullInfo } from "../../github/port.js";
import type { PullFacts } from "../../webhooks/events.js";

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
