import type { Redis } from "ioredis";
import { runScript } from "./script.js";

/** Write `doc` only if the stored version is still `expected` (0 = must not exist). */
const COMPARE_AND_SET = `
local current = redis.call("hget", KEYS[1], "v")
if (current == false and ARGV[1] == "0") or current == ARGV[1] then
  redis.call("hset", KEYS[1], "v", ARGV[2], "doc", ARGV[3])
  if ARGV[4] ~= "0" then redis.call("pexpire", KEYS[1], ARGV[4]) end
  return 1
end
return 0`;

export interface Versioned<T> {
  doc: T;
  version: number;
}

export class ConflictError extends Error {
  constructor(key: string) {
    super(`concurrent update of ${key} kept failing`);
  }
}

/**
 * JSON documents with a version, changed only by compare-and-set: two workers that read the same
 * version cannot both write, which is what makes "dispatched once" hold with many workers.
 */
export class VersionedStore<T> {
  constructor(
    private readonly redis: Redis,
    private readonly keyOf: (id: string) => string,
    private readonly ttlMs = 0,
  ) {}

  async get(id: string): Promise<Versioned<T> | undefined> {
    const [v, doc] = await this.redis.hmget(this.keyOf(id), "v", "doc");
    if (v == null || doc == null) return undefined;
    return { doc: JSON.parse(doc) as T, version: Number(v) };
  }

  async getMany(ids: readonly string[]): Promise<(Versioned<T> | undefined)[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hmget(this.keyOf(id), "v", "doc");
    const results = (await pipeline.exec()) ?? [];
    return results.map(([error, value]) => {
      if (error) throw error;
      const [v, doc] = value as [string | null, string | null];
      return v === null || doc === null ? undefined : { doc: JSON.parse(doc) as T, version: Number(v) };
    });
  }

  /** Write if the version matches; false when someone else wrote first. */
  async compareAndSet(id: string, expected: number, doc: T): Promise<boolean> {
    const ok = await runScript(
      this.redis,
      COMPARE_AND_SET,
      [this.keyOf(id)],
      [String(expected), String(expected + 1), JSON.stringify(doc), String(this.ttlMs)],
    );
    return ok === 1;
  }

  /** Create once: false when the document already exists. */
  create(id: string, doc: T): Promise<boolean> {
    return this.compareAndSet(id, 0, doc);
  }

  /**
   * Read, change, write; retried on conflict. `change` returns undefined to leave the document as it
   * is. Returns the document as stored after the call, and whether this call changed it.
   */
  async update(
    id: string,
    change: (doc: T) => T | undefined,
    attempts = 20,
  ): Promise<{ doc: T; changed: boolean; version: number } | undefined> {
    for (let i = 0; i < attempts; i++) {
      const current = await this.get(id);
      if (!current) return undefined;
      const next = change(structuredClone(current.doc));
      if (next === undefined) return { doc: current.doc, changed: false, version: current.version };
      if (await this.compareAndSet(id, current.version, next))
        return { doc: next, changed: true, version: current.version + 1 };
    }
    throw new ConflictError(this.keyOf(id));
  }
}
