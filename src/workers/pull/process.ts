import { isPermanent, statusOf } from "../../github/errors.js";
import { toFacts } from "../../github/shapes.js";
import type { PullJob } from "../../queue/queues.js";
import { AGGREGATE_CHECK } from "../../render/pull-checks.js";
import type { Runtime } from "../../runtime/runtime.js";
import { keys } from "../../state/keys.js";
import { tryLock } from "../../state/lock.js";
import { type PullRecord, PullStore } from "../../state/pulls.js";
import { evaluatePull } from "./evaluate.js";
import { writeCheck } from "./write.js";

const LOCK_MS = 5 * 60_000;

/** SPEC §7: a GitHub 4xx becomes a clear message on the `flowgate` check, not a silent retry loop. */
async function reportEvaluationFailure(rt: Runtime, record: PullRecord, error: unknown): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  rt.log.warn(
    { err: error, pr: record.facts.number },
    "evaluation failed with a GitHub error that retrying will not fix",
  );
  try {
    await writeCheck(rt, rt.github(record.repo), record, {
      name: AGGREGATE_CHECK,
      headSha: record.facts.headSha,
      status: "completed",
      conclusion: "failure",
      title: `GitHub answered ${statusOf(error)}: flowgate could not evaluate this PR`,
      summary: `${message.slice(0, 2000)}\n\nflowgate fails closed. Fix the cause (permissions of the app, a deleted branch, …) and push or comment \`/plan\` to evaluate again.`,
    });
  } catch (writeError) {
    rt.log.warn({ err: writeError }, "could not report the evaluation failure on the check either");
  }
}

/**
 * A PR seen for the first time (reconciliation, a timer after a Redis loss): its facts from GitHub.
 * `read` is the record as read with the lease, when it was.
 */
async function ensureRecord(rt: Runtime, job: PullJob, read?: PullRecord): Promise<PullRecord | undefined> {
  const existing = read ?? (await rt.pulls.get(job.repo.repoId, job.number));
  if (existing) return existing;
  const pull = await rt.github(job.repo).getPull(job.number);
  const at = rt.clock.now().toISOString();
  const record: PullRecord = {
    repo: job.repo,
    facts: toFacts(pull, `${job.repo.owner}/${job.repo.repo}`),
    headPushedAt: pull.updatedAt || at,
    pushers: [pull.author],
    updatedAt: pull.updatedAt || at,
  };
  await rt.pulls.records.create(PullStore.id(job.repo.repoId, job.number), record);
  await rt.pulls.markOpen(job.repo.repoId, job.number, pull.state === "open");
  return (await rt.pulls.get(job.repo.repoId, job.number)) ?? record;
}

/**
 * Evaluates a PR once for every burst of events: one worker at a time per PR (a lease), looping while
 * newer events arrived. A worker that finds the lease taken leaves: the holder checks for newer events
 * after it lets go, so no event is left unevaluated.
 */
export async function processPullJob(rt: Runtime, job: PullJob, isTimer: boolean): Promise<void> {
  const { repoId } = job.repo;
  if (isTimer) await rt.pulls.bumpSeq(repoId, job.number);
  // The lease, the counters and the record are read together (one round trip on the auto-pipelined
  // connection, issue 11): Redis runs them in order, so what is read is what the lease holder sees,
  // and an event handler bumps the counter only after writing the record.
  const counters = () =>
    Promise.all([rt.pulls.seq(repoId, job.number), rt.pulls.doneSeq(repoId, job.number)]);
  for (;;) {
    const [lock, [seq, done], read] = await Promise.all([
      tryLock(rt.redis, keys.pullLock(repoId, job.number), LOCK_MS),
      counters(),
      rt.pulls.get(repoId, job.number),
    ]);
    if (!lock) return;
    let evaluated = done;
    try {
      if (done < seq) {
        const record = await ensureRecord(rt, job, read);
        if (record && record.facts.state === "open") {
          try {
            await evaluatePull(rt, record);
          } catch (error) {
            if (!isPermanent(error)) throw error;
            await reportEvaluationFailure(rt, record, error);
          }
          if (job.receivedAt) rt.metrics.evaluationLatency.observe((Date.now() - job.receivedAt) / 1000);
        }
        evaluated = seq;
      }
    } catch (error) {
      await lock.release();
      throw error;
    }
    // What was evaluated is marked done, the lease let go and the counters read again, in that order
    // and in one round trip: an event that arrived meanwhile found the lease taken and left it to
    // this worker, which takes the lease again for it.
    const [, , [seqAfter, doneAfter]] = await Promise.all([
      evaluated > done ? rt.pulls.setDone(repoId, job.number, evaluated) : undefined,
      lock.release(),
      counters(),
    ]);
    if (seqAfter <= doneAfter) return;
  }
}
