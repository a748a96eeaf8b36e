import type { Runtime } from "../../app/runtime.js";
import type { PullJob } from "../../queue/queues.js";
import { keys } from "../../state/keys.js";
import { tryLock } from "../../state/lock.js";
import { type PullRecord, PullStore } from "../../state/pulls.js";
import { evaluatePull } from "./evaluate.js";
import { toFacts } from "./facts.js";

const LOCK_MS = 5 * 60_000;

/** A PR seen for the first time (reconciliation, a timer after a Redis loss): its facts from GitHub. */
async function ensureRecord(rt: Runtime, job: PullJob): Promise<PullRecord | undefined> {
  const existing = await rt.pulls.get(job.repo.repoId, job.number);
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
  for (;;) {
    const lock = await tryLock(rt.redis, keys.pullLock(repoId, job.number), LOCK_MS);
    if (!lock) return;
    try {
      for (;;) {
        const seq = await rt.pulls.seq(repoId, job.number);
        if ((await rt.pulls.doneSeq(repoId, job.number)) >= seq) break;
        const record = await ensureRecord(rt, job);
        if (record && record.facts.state === "open") {
          await evaluatePull(rt, record);
          if (job.receivedAt) rt.metrics.evaluationLatency.observe((Date.now() - job.receivedAt) / 1000);
        }
        await rt.pulls.setDone(repoId, job.number, seq);
      }
    } finally {
      await lock.release();
    }
    if ((await rt.pulls.seq(repoId, job.number)) <= (await rt.pulls.doneSeq(repoId, job.number))) return;
  }
}
