import type { Redis } from "ioredis";
import type { HeadVerdict } from "../engine/shared-head.js";
import { keys } from "./keys.js";

const VERDICT_TTL_SECONDS = 30 * 24 * 3600;

/** The `flowgate` verdict of every open PR sharing one head commit (workers/pull/shared-head.ts). */
export class HeadVerdictStore {
  constructor(private readonly redis: Redis) {}

  async put(repoId: number, headSha: string, verdict: HeadVerdict): Promise<void> {
    const key = keys.headVerdicts(repoId, headSha);
    await Promise.all([
      this.redis.hset(key, String(verdict.number), JSON.stringify(verdict)),
      this.redis.expire(key, VERDICT_TTL_SECONDS),
    ]);
  }

  async all(repoId: number, headSha: string): Promise<HeadVerdict[]> {
    const stored = await this.redis.hgetall(keys.headVerdicts(repoId, headSha));
    return Object.values(stored).map((json) => JSON.parse(json) as HeadVerdict);
  }

  /** Whether the PR had a verdict on this head. */
  async remove(repoId: number, headSha: string, number: number): Promise<boolean> {
    return (await this.redis.hdel(keys.headVerdicts(repoId, headSha), String(number))) > 0;
  }

  async numbers(repoId: number, headSha: string): Promise<number[]> {
    return (await this.redis.hkeys(keys.headVerdicts(repoId, headSha))).map(Number);
  }
}
