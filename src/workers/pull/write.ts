import { createHash } from "node:crypto";
import { statusOf } from "../../github/errors.js";
import type { CheckRunInput, GitHubPort } from "../../github/port.js";
import { appBotLogin } from "../../model/bots.js";
import { AGGREGATE_CHECK } from "../../render/pull-checks.js";
import { STICKY_MARKER } from "../../render/sticky.js";
import type { Runtime } from "../../runtime/runtime.js";
import type { CheckMemo, PullRecord } from "../../state/pulls.js";

const hashOf = (value: unknown) =>
  createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 32);

/**
 * Where a memo write may be left to finish: it then goes out with the caller's next Redis command
 * instead of costing a round trip of its own (issue 11), and the caller awaits it before it is done.
 */
export type Later = (write: Promise<unknown>) => void;

/** The `flowgate` check is one per commit, shared by every PR with that head (see shared-head.ts). */
export function checkOwner(record: PullRecord, checkName: string): number {
  return checkName === AGGREGATE_CHECK ? 0 : record.facts.number;
}

/**
 * Writes a check run only when what it says changed: one create per check and head, then an update
 * only when its content differs (SPEC §7: keep writes at the floor). `known`: the check's memo, when
 * the caller already read it under the lock that guards this write.
 */
export async function writeCheck(
  rt: Runtime,
  port: GitHubPort,
  record: PullRecord,
  input: CheckRunInput,
  later?: Later,
  known?: CheckMemo | null,
): Promise<number> {
  const { repoId } = record.repo;
  const hash = hashOf(input);
  const memo =
    known === undefined
      ? await rt.pulls.checkMemo(repoId, checkOwner(record, input.name), input.headSha, input.name)
      : (known ?? undefined);
  if (memo && memo.hash === hash) return memo.id;
  const now = rt.clock.now().toISOString();
  const timed = {
    ...input,
    ...(input.status === "completed" ? { completedAt: now } : {}),
  };
  const write = async (body: CheckRunInput) => {
    if (memo) {
      await port.updateCheckRun(memo.id, body);
      return memo.id;
    }
    return port.createCheckRun({ ...body, startedAt: now });
  };
  let id: number;
  try {
    id = await write(timed);
  } catch (error) {
    // GitHub refused what flowgate wrote (422): say so on the check rather than leave it stale.
    if (statusOf(error) !== 422) throw error;
    const message = error instanceof Error ? error.message : String(error);
    id = await write({
      name: input.name,
      headSha: input.headSha,
      status: "completed",
      conclusion: "failure",
      ...(input.externalId ? { externalId: input.externalId } : {}),
      title: "flowgate could not write this check",
      summary: `GitHub refused the check's content (422): ${message.slice(0, 1000)}\n\nThe sticky comment on the PR has the details.`,
      actions: [],
      completedAt: now,
    });
  }
  const saved = rt.pulls.setCheckMemo(repoId, checkOwner(record, input.name), input.headSha, input.name, {
    id,
    hash,
  });
  if (later) later(saved);
  else await saved;
  return id;
}

/** The sticky comment: found by its id, or by its marker and being the app's own comment; edited in place. */
export async function writeSticky(
  rt: Runtime,
  port: GitHubPort,
  record: PullRecord,
  body: string,
  /** the comment's memo when the caller read it already (null: none stored) */
  known?: CheckMemo | null,
  later?: Later,
): Promise<void> {
  const { repoId } = record.repo;
  const n = record.facts.number;
  const hash = hashOf(body);
  const memo =
    known === undefined ? await rt.pulls.checkMemo(repoId, n, "comment", "sticky") : (known ?? undefined);
  if (memo && memo.hash === hash) return;
  let id = memo?.id ?? record.commentId;
  if (id === undefined && record.noStickyYet) {
    // From here a comment may exist even if this write fails halfway: later writes look for it.
    await rt.pulls.records.update(`${repoId}:${n}`, (doc) => {
      delete doc.noStickyYet;
      return doc;
    });
  } else if (id === undefined) {
    const bot = appBotLogin(rt.appSlug);
    const existing = (await port.listComments(n)).find(
      (c) => c.login === bot && c.body.includes(STICKY_MARKER),
    );
    id = existing?.id;
  }
  if (id !== undefined) {
    try {
      await port.updateComment(id, body);
    } catch (error) {
      // Someone deleted it: make a new one.
      if ((error as { status?: number }).status !== 404) throw error;
      id = await port.createComment(n, body);
    }
  } else {
    id = await port.createComment(n, body);
  }
  // The memo is where the comment is found next time (it lives as long as the record); the record is
  // not rewritten for it (issue 11). Without either, the comments are listed for the marker.
  const saved = rt.pulls.setCheckMemo(repoId, n, "comment", "sticky", { id, hash });
  if (later) later(saved);
  else await saved;
}
