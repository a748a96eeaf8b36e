import type { Redis } from "ioredis";
import { keys } from "../../state/keys.js";
import { runScript } from "../../state/script.js";

/**
 * Take the lock if free, or if its holder is the job asking, or if its holder is ARGV[3] (a job
 * known to have ended); every new holder gets the next fencing token.
 */
const ACQUIRE = `
local holder = redis.call("hget", KEYS[1], "job")
if holder and holder ~= ARGV[1] and holder ~= ARGV[3] then return {0, holder} end
if holder == ARGV[1] then return {tonumber(redis.call("hget", KEYS[1], "token")), holder} end
local token = redis.call("incr", KEYS[2])
redis.call("hset", KEYS[1], "job", ARGV[1], "token", token, "at", ARGV[2])
return {token, ARGV[1]}`;

const RELEASE = `
if redis.call("hget", KEYS[1], "job") == ARGV[1] then return redis.call("del", KEYS[1]) end
return 0`;

/**
 * One job per stack at a time (SPEC §4). The lock belongs to the job, not to a worker: it lives until
 * the job ends, so a worker crash does not free it, and a job that ended without releasing it (a crash
 * between the two writes) is recognised and replaced. The fencing token grows with every holder.
 */
export class StackLocks {
  constructor(private readonly redis: Redis) {}

  async holder(repoId: number, stack: string): Promise<string | undefined> {
    return (await this.redis.hget(keys.stackLock(repoId, stack), "job")) ?? undefined;
  }

  /** The fencing token when acquired, or the current holder's job id. */
  async acquire(
    repoId: number,
    stack: string,
    jobId: string,
    holderEnded: (holder: string) => Promise<boolean>,
  ): Promise<{ token: number } | { heldBy: string }> {
    const lockKey = keys.stackLock(repoId, stack);
    const fenceKey = keys.stackFence(repoId, stack);
    const at = new Date().toISOString();
    let [token, holder] = (await runScript(this.redis, ACQUIRE, [lockKey, fenceKey], [jobId, at, ""])) as [
      number,
      string,
    ];
    if (token === 0 && (await holderEnded(holder))) {
      [token, holder] = (await runScript(this.redis, ACQUIRE, [lockKey, fenceKey], [jobId, at, holder])) as [
        number,
        string,
      ];
    }
    return token > 0 ? { token } : { heldBy: holder };
  }

  async release(repoId: number, stack: string, jobId: string): Promise<boolean> {
    return (await runScript(this.redis, RELEASE, [keys.stackLock(repoId, stack)], [jobId])) === 1;
  }
}
