import type { PullEvaluation, PullWrite } from "../../engine/pull/evaluate.js";
import type { PullSnapshot } from "../../engine/pull/snapshot.js";
import type { GitHubPort } from "../../github/port.js";
import {
  AGGREGATE_CHECK,
  aggregateCheck,
  planCheck,
  planCheckName,
  unownedFilesSection,
  unownedState,
} from "../../render/pull-checks.js";
import { configSections } from "../../render/pull-sections.js";
import { renderSticky } from "../../render/sticky.js";
import type { Runtime } from "../../runtime/runtime.js";
import { keys } from "../../state/keys.js";
import type { CheckMemo, PullRecord } from "../../state/pulls.js";
import { alone } from "../alone.js";
import { dispatchNow, unclaimedDispatch } from "../jobs/dispatch-now.js";
import type { DeferredDispatch } from "../jobs/driver.js";
import { syncAutoMerge } from "./automerge.js";
import { startPlanJob } from "./plans.js";
import { replyToCommand } from "./reply.js";
import { withSharedHead } from "./shared-head.js";
import { checkOwner, writeCheck, writeSticky } from "./write.js";

/** Writes that change only flowgate's own state, each on keys of its own. */
const REDIS_ONLY: ReadonlySet<PullWrite["kind"]> = new Set([
  "watch-gate",
  "remember-approval",
  "observe-approval-wait",
  "count-rejection",
  "store-verdict",
]);

/** Carries out what the evaluation decided, in order: one write per changed check, one comment edit. */
export async function carryOutEvaluation(
  rt: Runtime,
  port: GitHubPort,
  record: PullRecord,
  snapshot: PullSnapshot,
  evaluation: PullEvaluation,
): Promise<void> {
  const { repo, facts } = record;
  const { decision, pullView, stackViews } = evaluation;
  const sections = configSections(snapshot.config, pullView);
  const requests = new Map(snapshot.approvalRequests.map((r) => [r.id, r]));
  // Plans are dispatched after the checks and the comment are written, by this worker: a PR's first
  // check does not wait for GitHub to take the dispatch. A plan whose dispatch was decided but never
  // claimed (its worker crashed) is dispatched now too.
  // Memo writes left to go out with the next write's first command; all awaited before returning.
  const memos: Promise<unknown>[] = [];
  const later = (write: Promise<unknown>) => {
    memos.push(write);
    // Awaited below; if an earlier write throws first, a failed memo write is not left unhandled.
    write.catch(() => undefined);
  };
  const dispatches: DeferredDispatch[] = snapshot.stacks.flatMap((s) => {
    const unclaimed = s.planJob && unclaimedDispatch(s.planJob);
    return unclaimed ? [unclaimed] : [];
  });
  // Plan checks are written only under this PR's lease, held now: their memos are read with the first
  // write instead of one round trip each (issue 11).
  const planMemos = new Map<string, Promise<CheckMemo | null>>();
  for (const w of evaluation.writes) {
    if (w.kind !== "plan-check") continue;
    const name = planCheckName(w.view.stack.name);
    const read = rt.pulls.checkMemo(repo.repoId, facts.number, facts.headSha, name).then((m) => m ?? null);
    later(read);
    planMemos.set(name, read);
  }
  const carryOut = async (w: PullWrite): Promise<void> => {
    switch (w.kind) {
      case "start-plan":
        await startPlanJob(
          rt,
          record,
          w.stack,
          w.resolution,
          { login: facts.author, type: facts.authorIsBot ? "bot" : "user" },
          { deferDispatch: (d) => dispatches.push(d), lostSince: snapshot.lostSince ?? null },
        );
        return;
      case "watch-gate":
        await rt.gates.hold(w.gate, repo.owner, repo.repoId, {
          kind: "pull",
          repoId: repo.repoId,
          number: facts.number,
        });
        return;
      case "remember-approval":
        await rt.pulls.setApproved(repo.repoId, facts.number, w.stack, w.approved);
        return;
      case "observe-approval-wait":
        rt.metrics.approvalWait.observe({ policy: w.policy }, w.seconds);
        return;
      case "count-rejection":
        if (await rt.pulls.countRejectionOnce(repo.repoId, facts.number, `${w.eventId}|${w.stack}`))
          rt.metrics.rejections.inc({ policy: w.policy });
        return;
      case "answer-command": {
        const request = requests.get(w.requestId);
        if (!request) return;
        await replyToCommand(port, record, request, w.ok, w.lines);
        await rt.pulls.finishRequest(repo.repoId, facts.number, request);
        return;
      }
      case "store-verdict":
        await rt.pulls.records.update(`${repo.repoId}:${facts.number}`, (doc) =>
          doc.facts.headSha === facts.headSha
            ? {
                ...doc,
                lastDecision: {
                  headSha: facts.headSha,
                  conclusion: decision.conclusion,
                  title: decision.title,
                },
              }
            : undefined,
        );
        return;
      case "plan-check":
        await writeCheck(
          rt,
          port,
          record,
          planCheck(facts.headSha, w.view, {
            ...(w.text ? { text: w.text } : {}),
            ...(w.runUrl ? { runUrl: w.runUrl } : {}),
          }),
          later,
          await planMemos.get(planCheckName(w.view.stack.name)),
        );
        return;
      case "aggregate-check": {
        const unowned = pullView.unowned.files.length
          ? [unownedFilesSection(pullView.unowned.files, unownedState(pullView))]
          : [];
        const memoRead = async () =>
          (await rt.pulls.checkMemo(
            repo.repoId,
            checkOwner(record, AGGREGATE_CHECK),
            facts.headSha,
            AGGREGATE_CHECK,
          )) ?? null;
        await withSharedHead(rt, record, decision, memoRead, (shown, note, memo) =>
          writeCheck(
            rt,
            port,
            record,
            aggregateCheck(facts.headSha, shown, stackViews, [
              ...(note ? [note] : []),
              ...unowned,
              ...sections,
            ]),
            later,
            memo,
          ).then(() => undefined),
        );
        return;
      }
      case "sticky": {
        const explained = snapshot.config.explanation ? [snapshot.config.explanation] : [];
        const body = renderSticky(pullView, decision, stackViews, { sections: [...sections, ...explained] });
        // One writer of the sticky comment at a time: the apply pipeline writes it after the merge.
        await alone(
          rt,
          keys.pullStickyLock(repo.repoId, facts.number),
          async ([fresh, memo]) => {
            const current = fresh ?? record;
            if (current.facts.state === "open")
              await writeSticky(rt, port, current, body, memo ?? null, later);
          },
          () =>
            Promise.all([
              rt.pulls.get(repo.repoId, facts.number),
              rt.pulls.checkMemo(repo.repoId, facts.number, "comment", "sticky"),
            ]),
        );
        return;
      }
      case "auto-merge":
        await syncAutoMerge(rt, port, record, decision);
        return;
      case "evaluate-at":
        await rt.queues.addPullTimer(
          { repo, number: facts.number, reason: "schedule or gate boundary" },
          w.at,
          snapshot.now,
        );
        return;
      case "audit-config-invalid":
        await rt.audit.record({
          type: "config-invalid",
          repo: `${repo.owner}/${repo.repo}`,
          pr: facts.number,
          reason: w.reason,
        });
        return;
    }
  };
  try {
    // Writes that only touch Redis and do not depend on each other go out together when they follow
    // one another (one round trip, issue 11); GitHub's writes keep their order.
    let batch: PullWrite[] = [];
    const flush = async () => {
      const pending = batch;
      batch = [];
      await Promise.all(pending.map(carryOut));
    };
    for (const write of evaluation.writes) {
      if (REDIS_ONLY.has(write.kind)) {
        batch.push(write);
        continue;
      }
      await flush();
      await carryOut(write);
    }
    await flush();
    await Promise.all(memos);
  } finally {
    // A write that fails (a 403 on the comment, say) does not hold back the plans already decided.
    for (const dispatch of dispatches) await dispatchNow(rt, dispatch);
  }
}
