import type { Redis } from "ioredis";
import type { OnFailure, VerifyCheck } from "../config/types.js";
import { keys } from "./keys.js";

const KEEP_SECONDS = 90 * 86_400;

export interface StoredSample {
  at: string;
  ok: boolean;
  reason: string;
  permanent?: boolean;
}

export interface CheckProgress {
  name: string;
  samples: StoredSample[];
  /** a `workflow` check: its run, once dispatched (recorded before dispatching: never twice) */
  run?: { dispatchedAt: string; runId?: number };
  verdict?: "passed" | "failed";
  reason?: string;
}

/** Verification of one apply job: the checks its policy asked for, as resolved when the apply succeeded. */
export interface Verification {
  status: "running" | "passed" | "failed";
  startedAt: string;
  /** where the checks come from: the policy and file */
  source: string;
  checks: VerifyCheck[];
  onFailure: OnFailure;
  progress: CheckProgress[];
  reason: string;
  finishedAt?: string;
  /** `onFailure: revert`: the pull request opened, or why none was */
  rollback?: { pull?: number; message: string };
}

export class VerificationStore {
  constructor(private readonly redis: Redis) {}

  async get(jobId: string): Promise<Verification | undefined> {
    const raw = await this.redis.get(keys.jobVerification(jobId));
    return raw ? (JSON.parse(raw) as Verification) : undefined;
  }

  /** Starts a verification once: a second start (a redelivered change) finds the first. */
  async start(jobId: string, verification: Verification): Promise<boolean> {
    const set = await this.redis.set(
      keys.jobVerification(jobId),
      JSON.stringify(verification),
      "EX",
      KEEP_SECONDS,
      "NX",
    );
    return set === "OK";
  }

  /** The `flowgate/verify: <stack>` check run and what it last said (kept apart: its writer is another step). */
  async checkMemo(jobId: string): Promise<{ id: number; hash: string } | undefined> {
    const [id, hash] = await this.redis.hmget(keys.jobVerifyCheck(jobId), "id", "hash");
    return id && hash ? { id: Number(id), hash } : undefined;
  }

  async setCheckMemo(jobId: string, id: number, hash: string): Promise<void> {
    const key = keys.jobVerifyCheck(jobId);
    await Promise.all([
      this.redis.hset(key, "id", String(id), "hash", hash),
      this.redis.expire(key, KEEP_SECONDS),
    ]);
  }

  /** The one attempt at a revert PR for a job: false when another already claimed it. */
  async claimRevert(jobId: string): Promise<boolean> {
    return (await this.redis.set(keys.jobRevert(jobId), "claimed", "EX", KEEP_SECONDS, "NX")) === "OK";
  }

  async put(jobId: string, verification: Verification): Promise<void> {
    await this.redis.set(keys.jobVerification(jobId), JSON.stringify(verification), "EX", KEEP_SECONDS);
  }
}
