import type { Redis } from "ioredis";
import type { ApprovalEvent } from "../engine/approvals.js";
import { keys } from "./keys.js";

const KEEP_SECONDS = 90 * 86_400;

/** The last apply of a stack: a stack never applies a commit older than this one. */
export interface LastApplied {
  sha: string;
  createdAt: string;
  job: string;
}

/** What a new apply job needs recorded beside it (SPEC §4). */
export interface NewApplyJob {
  id: string;
  repoId: number;
  installationId: number;
  sha: string;
  pending: boolean;
  dependsOn: readonly string[];
  /** the rule and variables the merge decided with (workers/apply/plan-decisions.ts) */
  rule: unknown;
}

/** Redis state of the apply pipeline besides the job documents: what was applied, who waits on whom. */
export class ApplyStore {
  constructor(private readonly redis: Redis) {}

  async lastApplied(repoId: number, stack: string): Promise<LastApplied | undefined> {
    const [sha, createdAt, job] = await this.redis.hmget(
      keys.stackApplied(repoId, stack),
      "sha",
      "createdAt",
      "job",
    );
    return sha && createdAt ? { sha, createdAt, job: job ?? "" } : undefined;
  }

  /** A stack applied this job's commit; the policy it resolved to is remembered for the next change. */
  async recordApplied(
    repoId: number,
    stack: string,
    applied: LastApplied,
    policyFingerprint?: string,
  ): Promise<void> {
    const m = this.redis
      .multi()
      .hset(
        keys.stackApplied(repoId, stack),
        "sha",
        applied.sha,
        "createdAt",
        applied.createdAt,
        "job",
        applied.job,
      );
    if (policyFingerprint) m.set(keys.stackPolicy(repoId, stack), policyFingerprint);
    await m.exec();
  }

  async policyFingerprint(repoId: number, stack: string): Promise<string | undefined> {
    return (await this.redis.get(keys.stackPolicy(repoId, stack))) ?? undefined;
  }

  /** Records a new apply job's rule, its place among its commit's jobs and the jobs it waits for. */
  async recordJob(job: NewApplyJob): Promise<void> {
    const m = this.redis.multi();
    m.set(keys.jobRule(job.id), JSON.stringify(job.rule), "EX", KEEP_SECONDS);
    for (const dep of job.dependsOn)
      m.sadd(keys.jobDependents(dep), job.id).expire(keys.jobDependents(dep), KEEP_SECONDS);
    if (job.pending) m.sadd(keys.pendingStacks(job.installationId), job.id);
    m.sadd(keys.commitJobs(job.repoId, job.sha), job.id).expire(
      keys.commitJobs(job.repoId, job.sha),
      KEEP_SECONDS,
    );
    await m.exec();
  }

  async jobRule<T>(jobId: string): Promise<T | undefined> {
    const raw = await this.redis.get(keys.jobRule(jobId));
    return raw ? (JSON.parse(raw) as T) : undefined;
  }

  /** The job no longer waits for `flowgate apply --all-pending`. */
  async notPending(installationId: number, jobId: string): Promise<void> {
    await this.redis.srem(keys.pendingStacks(installationId), jobId);
  }

  dependents(jobId: string): Promise<string[]> {
    return this.redis.smembers(keys.jobDependents(jobId));
  }

  commitJobs(repoId: number, sha: string): Promise<string[]> {
    return this.redis.smembers(keys.commitJobs(repoId, sha));
  }

  async addApproval(jobId: string, event: ApprovalEvent): Promise<void> {
    const key = keys.jobApprovals(jobId);
    await Promise.all([this.redis.rpush(key, JSON.stringify(event)), this.redis.expire(key, KEEP_SECONDS)]);
  }

  async approvals(jobId: string): Promise<ApprovalEvent[]> {
    return (await this.redis.lrange(keys.jobApprovals(jobId), 0, -1)).map((raw) => {
      const e = JSON.parse(raw) as ApprovalEvent & { at: string };
      return { ...e, at: new Date(e.at) };
    });
  }

  async checkMemo(jobId: string): Promise<{ id?: number; hash?: string }> {
    const [id, hash] = await this.redis.hmget(keys.jobCheck(jobId), "id", "hash");
    return { ...(id ? { id: Number(id) } : {}), ...(hash ? { hash } : {}) };
  }

  async setCheckMemo(jobId: string, id: number, hash: string): Promise<void> {
    const key = keys.jobCheck(jobId);
    await Promise.all([
      this.redis.hset(key, "id", String(id), "hash", hash),
      this.redis.expire(key, KEEP_SECONDS),
    ]);
  }

  async lastSeenCommit(repoId: number): Promise<string | undefined> {
    return (await this.redis.get(keys.lastSeenCommit(repoId))) ?? undefined;
  }

  /** The newest default-branch commit flowgate handled (reconciliation looks for any after it). */
  async setLastSeenCommit(repoId: number, sha: string): Promise<void> {
    await this.redis.set(keys.lastSeenCommit(repoId), sha);
  }
}
