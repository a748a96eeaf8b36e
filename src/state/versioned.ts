import type { Redis } from "ioredis";
import { runScript } from "./script.js";

/**
 * Write `doc` only if the stored version is still `expected` (0 = must not exist). Returns 1, or on
 * a mismatch the stored version and document (none when absent), which saves the caller a read.
 */
const COMPARE_AND_SET = `
local current = redis.call("hget", KEYS[1], "v")
if (current == false and ARGV[1] == "0") or current == ARGV[1] then
  redis.call("hset", KEYS[1], "v", ARGV[2], "doc", ARGV[3])
  if ARGV[4] ~= "0" then redis.call("pexpire", KEYS[1], ARGV[4]) end
  return 1
end
if current == false then return {} end
return {current, redis.call("hget", KEYS[1], "doc")}`;

export interface Versioned<T> {
  doc: T;
  version: number;
}

export class ConflictError extends Error {
  constructor(key: string) {
    super(`concurrent update of ${key} kept failing`);
  }
}

/** A stored document as text, and whether it was just read from Redis or is what this process last saw. */
interface Stored {
  version: number;
  json: string;
  fresh: boolean;
}

/** Documents this process last read or wrote, per store (the oldest forgotten first). */
const REMEMBERED = 2_000;

/**
 * JSON documents with a version, changed only by compare-and-set: two workers that read the same
 * version cannot both write, which is what makes "dispatched once" hold with many workers.
 *
 * An update starts from the version this process last read or wrote, without reading it again
 * (issue 11: a read before every write was a third of a PR event's Redis round trips). Nothing is
 * decided on a remembered version: a write over it succeeds only if it is still the stored one, a
 * failed write returns the stored document to start over from, and a change that finds nothing to do
 * on a remembered version is tried again on a fresh read.
 */
export class VersionedStore<T> {
  private readonly remembered = new Map<string, { version: number; json: string }>();

  constructor(
    private readonly redis: Redis,
    private readonly keyOf: (id: string) => string,
    private readonly ttlMs = 0,
  ) {}

  private remember(id: string, version: number, json: string): void {
    this.remembered.delete(id);
    if (this.remembered.size >= REMEMBERED) {
      const oldest = this.remembered.keys().next().value;
      if (oldest !== undefined) this.remembered.delete(oldest);
    }
    this.remembered.set(id, { version, json });
  }

  private async read(id: string): Promise<Stored | undefined> {
    const [v, json] = await this.redis.hmget(this.keyOf(id), "v", "doc");
    if (v == null || json == null) {
      this.remembered.delete(id);
      return undefined;
    }
    this.remember(id, Number(v), json);
    return { version: Number(v), json, fresh: true };
  }

  async get(id: string): Promise<Versioned<T> | undefined> {
    const stored = await this.read(id);
    return stored && { doc: JSON.parse(stored.json) as T, version: stored.version };
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

  /** Writes if the stored version is `expected`; otherwise says what is stored (undefined: nothing). */
  private async write(id: string, expected: number, json: string): Promise<true | Stored | undefined> {
    const reply = await runScript(
      this.redis,
      COMPARE_AND_SET,
      [this.keyOf(id)],
      [String(expected), String(expected + 1), json, String(this.ttlMs)],
    );
    if (reply === 1) {
      this.remember(id, expected + 1, json);
      return true;
    }
    const [v, stored] = reply as [string?, string?];
    if (v === undefined || stored === undefined) {
      this.remembered.delete(id);
      return undefined;
    }
    this.remember(id, Number(v), stored);
    return { version: Number(v), json: stored, fresh: true };
  }

  /** Write if the version matches; false when someone else wrote first. */
  async compareAndSet(id: string, expected: number, doc: T): Promise<boolean> {
    return (await this.write(id, expected, JSON.stringify(doc))) === true;
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
    const seen = this.remembered.get(id);
    let current: Stored | undefined = seen ? { ...seen, fresh: false } : await this.read(id);
    for (let i = 0; i < attempts && current; i++) {
      const next = change(JSON.parse(current.json) as T);
      if (next === undefined) {
        if (!current.fresh) {
          current = await this.read(id);
          continue;
        }
        return { doc: JSON.parse(current.json) as T, changed: false, version: current.version };
      }
      const json = JSON.stringify(next);
      const written = await this.write(id, current.version, json);
      if (written === true) return { doc: next, changed: true, version: current.version + 1 };
      current = written;
    }
    if (!current) return undefined;
    throw new ConflictError(this.keyOf(id));
  }
}
