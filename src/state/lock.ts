import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { runScript } from "./script.js";

const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;
const EXTEND = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;

export interface Lock {
  key: string;
  token: string;
  release(): Promise<boolean>;
  extend(ms: number): Promise<boolean>;
}

/**
 * A lease: held until released or until it expires, so a crashed worker cannot hold it forever.
 * The token proves ownership on release (a late holder cannot free someone else's lease).
 */
export async function tryLock(redis: Redis, key: string, ttlMs: number): Promise<Lock | undefined> {
  const token = randomUUID();
  const ok = await redis.set(key, token, "PX", ttlMs, "NX");
  if (ok !== "OK") return undefined;
  return {
    key,
    token,
    release: async () => (await runScript(redis, RELEASE, [key], [token])) === 1,
    extend: async (ms: number) => (await runScript(redis, EXTEND, [key], [token, String(ms)])) === 1,
  };
}
