import type { Redis } from "ioredis";
import type { StackJob } from "../engine/stack-job/types.js";
import { TERMINAL_STATUSES } from "../engine/stack-job/types.js";
import { keys } from "./keys.js";
import { VersionedStore } from "./versioned.js";

const JOB_TTL_MS = 90 * 24 * 3600 * 1000;
/** GitHub's limit for check run output text; the plan text is kept at most this long. */
export const MAX_PLAN_TEXT = 65_535;

/** Stack jobs in Redis, changed only by compare-and-set; indexes for lookups by run and by stack. */
export class JobStore {
  readonly docs: VersionedStore<StackJob>;

  constructor(private readonly redis: Redis) {
    this.docs = new VersionedStore<StackJob>(redis, keys.job, JOB_TTL_MS);
  }

  async get(id: string): Promise<StackJob | undefined> {
    return (await this.docs.get(id))?.doc;
  }

  async getMany(ids: readonly string[]): Promise<(StackJob | undefined)[]> {
    return (await this.docs.getMany(ids)).map((v) => v?.doc);
  }

  /** Create once; returns false (and changes nothing) when the job already exists. */
  async create(job: StackJob, repoId: number): Promise<boolean> {
    if (!(await this.docs.create(job.id, job))) return false;
    await this.indexCreated(job, repoId);
    return true;
  }

  /** The indexes a new job joins: the open jobs, and its stack's jobs. */
  async indexCreated(job: StackJob, repoId: number): Promise<void> {
    await Promise.all([
      this.redis.zadd(keys.openJobs(), Date.parse(job.createdAt), job.id),
      this.redis.zadd(keys.stackJobs(repoId, job.stack), Date.parse(job.createdAt), job.id),
    ]);
  }

  /** Keep the indexes in step with a job's new state; runs already indexed before the write are not written again. */
  async indexAfterWrite(job: StackJob, known: ReadonlySet<number> = new Set()): Promise<void> {
    const writes: Promise<unknown>[] = [];
    for (const run of job.runs)
      if (run.runId && !known.has(run.runId))
        writes.push(this.redis.set(keys.jobByRun(run.runId), job.id, "PX", JOB_TTL_MS));
    if (TERMINAL_STATUSES.has(job.status)) writes.push(this.redis.zrem(keys.openJobs(), job.id));
    await Promise.all(writes);
  }

  /**
   * A job's deadline, due `dueInMs` from now by the wall clock (the job's clock may be a test's).
   * Deadlines live in one sorted set that the workers sweep (workers/jobs/deadlines.ts) instead of a
   * delayed queue job each (issue 11: a queued job per plan, most of which fire for nothing).
   */
  async scheduleDeadline(jobId: string, deadline: string, dueInMs: number): Promise<void> {
    await this.redis.zadd(keys.jobDeadlines(), Date.now() + Math.max(0, dueInMs), `${jobId}|${deadline}`);
  }

  /** Deadlines due by now (wall clock), oldest first. */
  async dueDeadlines(limit: number): Promise<{ jobId: string; deadline: string; entry: string }[]> {
    const entries = await this.redis.zrangebyscore(
      keys.jobDeadlines(),
      "-inf",
      Date.now(),
      "LIMIT",
      0,
      limit,
    );
    return entries.flatMap((entry) => {
      const at = entry.lastIndexOf("|");
      return at > 0 ? [{ jobId: entry.slice(0, at), deadline: entry.slice(at + 1), entry }] : [];
    });
  }

  async forgetDeadline(entry: string): Promise<void> {
    await this.redis.zrem(keys.jobDeadlines(), entry);
  }

  async byRun(runId: number): Promise<string | undefined> {
    return (await this.redis.get(keys.jobByRun(runId))) ?? undefined;
  }

  async openJobIds(limit = 10_000): Promise<string[]> {
    return this.redis.zrange(keys.openJobs(), 0, limit - 1);
  }

  async stackJobIds(repoId: number, stack: string): Promise<string[]> {
    return this.redis.zrange(keys.stackJobs(repoId, stack), 0, -1);
  }

  async setText(id: string, text: string): Promise<void> {
    await this.redis.set(keys.jobText(id), text.slice(0, MAX_PLAN_TEXT * 2), "PX", JOB_TTL_MS);
  }

  async text(id: string): Promise<string | undefined> {
    return (await this.redis.get(keys.jobText(id))) ?? undefined;
  }
}
