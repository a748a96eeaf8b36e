import type { PullDecision } from "../../engine/pull-decision.js";
import { combineHeadVerdicts, type HeadVerdict } from "../../engine/shared-head.js";
import type { Runtime } from "../../runtime/runtime.js";
import { keys } from "../../state/keys.js";
import { tryLock } from "../../state/lock.js";
import type { PullRecord } from "../../state/pulls.js";
import type { RepoInfo } from "../../webhooks/events.js";
import { requestPullEvaluation } from "../request.js";

const LEASE_MS = 5_000;

/**
 * Writes the `flowgate` check of a head shared by several open PRs under one lock per head: each
 * writer stores its own verdict and reads every other first, so the last write has seen them all.
 * `write` gets the decision to show (this PR's, or a stricter one of another PR with its note), and
 * what `readWith` read under the lock in the same round trip as the verdicts.
 */
export async function withSharedHead<T>(
  rt: Runtime,
  record: PullRecord,
  decision: PullDecision,
  readWith: () => Promise<T>,
  write: (decision: PullDecision, note: string, read: T) => Promise<void>,
): Promise<void> {
  const { repoId } = record.repo;
  const { number, headSha, baseRef } = record.facts;
  const lockKey = keys.headLock(repoId, headSha);
  const deadline = Date.now() + 15_000;
  let lock = await tryLock(rt.redis, lockKey, LEASE_MS);
  while (!lock) {
    if (Date.now() > deadline)
      throw new Error(`the head ${headSha.slice(0, 7)} stayed busy: evaluating again later`);
    await new Promise((r) => setTimeout(r, 25));
    lock = await tryLock(rt.redis, lockKey, LEASE_MS);
  }
  try {
    const own: HeadVerdict = { number, baseRef, conclusion: decision.conclusion, title: decision.title };
    // This PR's verdict is stored and the others read in one round trip (Redis keeps the order).
    const [, others, read] = await Promise.all([
      rt.headVerdicts.put(repoId, headSha, own),
      otherOpenVerdicts(rt, repoId, headSha, number),
      readWith(),
    ]);
    const combined = combineHeadVerdicts(own, others);
    await write({ ...decision, conclusion: combined.conclusion, title: combined.title }, combined.note, read);
  } finally {
    await lock.release();
  }
}

/** Verdicts of the other PRs that are still open with this head (a closed or pushed-on PR drops out). */
async function otherOpenVerdicts(rt: Runtime, repoId: number, headSha: string, own: number) {
  const others: HeadVerdict[] = [];
  for (const verdict of await rt.headVerdicts.all(repoId, headSha)) {
    if (verdict.number === own) continue;
    const record = await rt.pulls.get(repoId, verdict.number);
    if (record?.facts.state !== "open" || record.facts.headSha !== headSha) {
      await rt.headVerdicts.remove(repoId, headSha, verdict.number);
      continue;
    }
    others.push(verdict);
  }
  return others;
}

/**
 * A PR left this head (closed, or pushed to): the other open PRs on it write the check again, so a
 * verdict that only the departed PR held does not stay on the commit.
 */
export async function leaveSharedHead(
  rt: Runtime,
  repo: RepoInfo,
  number: number,
  headSha: string,
): Promise<void> {
  if (!(await rt.headVerdicts.remove(repo.repoId, headSha, number))) return;
  for (const other of await rt.headVerdicts.numbers(repo.repoId, headSha)) {
    await requestPullEvaluation(rt, repo, other, `#${number} left the head ${headSha.slice(0, 7)}`);
  }
}
