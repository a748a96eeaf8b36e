/** One pull request as the console shows it. */

import { STICKY_MARKER } from "../render/sticky.js";
import type { Runtime } from "../runtime/runtime.js";
import type { Person } from "./identity.js";

export interface PullView {
  repo: string;
  number: number;
  url: string;
  author: string;
  headSha: string;
  state: string;
  merged: boolean;
  decision?: { conclusion: string; title: string; current: boolean };
  /** the sticky comment's markdown as flowgate last wrote it, without its marker */
  sticky?: string;
  /** apply jobs of the merge commit, when merged */
  mergeCommitSha?: string;
}

/** One PR as flowgate sees it: its `flowgate` decision and what the sticky comment says (read from GitHub). */
export async function pullView(
  rt: Runtime,
  person: Person,
  repoFullName: string,
  number: number,
): Promise<PullView | undefined> {
  const repo = person.repos.get(repoFullName.toLowerCase());
  if (!repo || !Number.isInteger(number) || number <= 0) return undefined;
  const record = await rt.pulls.get(repo.repoId, number);
  if (!record) return undefined;
  const name = `${repo.owner}/${repo.repo}`;
  let sticky: string | undefined;
  // The comment's id is in its memo (older records kept it themselves).
  const commentId =
    (await rt.pulls.checkMemo(repo.repoId, number, "comment", "sticky"))?.id ?? record.commentId;
  if (commentId) {
    const comments = await rt.github(repo).listComments(number);
    sticky = comments
      .find((c) => c.id === commentId)
      ?.body.replace(STICKY_MARKER, "")
      .trim();
  }
  const d = record.lastDecision;
  return {
    repo: name,
    number,
    url: `${person.webUrl}/${name}/pull/${number}`,
    author: record.facts.author,
    headSha: record.facts.headSha,
    state: record.facts.state,
    merged: record.facts.merged,
    ...(d
      ? {
          decision: { conclusion: d.conclusion, title: d.title, current: d.headSha === record.facts.headSha },
        }
      : {}),
    ...(sticky ? { sticky } : {}),
    ...(record.facts.mergeCommitSha ? { mergeCommitSha: record.facts.mergeCommitSha } : {}),
  };
}
