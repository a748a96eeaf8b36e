import type { Redis } from "ioredis";

/**
 * Facts about people (permission, team membership, organization ownership) cached briefly, so an
 * event costs no extra requests while a permission change still takes effect within minutes.
 */
export class FactCache {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds = 300,
  ) {}

  async get<T>(key: string, fetch: () => Promise<T>): Promise<T> {
    const cached = await this.redis.get(key);
    if (cached !== null) return JSON.parse(cached) as T;
    const value = await fetch();
    await this.redis.set(key, JSON.stringify(value), "EX", this.ttlSeconds);
    return value;
  }

  async forget(key: string): Promise<void> {
    await this.redis.del(key);
  }

  /** Forgets every cached fact whose key matches a SCAN pattern (all of a team's memberships, say). */
  async forgetMatching(pattern: string): Promise<void> {
    let cursor = "0";
    do {
      const [next, batch] = await this.redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
      cursor = next;
      if (batch.length) await this.redis.del(...batch);
    } while (cursor !== "0");
  }
}
