/** What redis-server says about itself: its process id, the commands it has run and its socket reads, from INFO. */
import { Redis } from "ioredis";

/** calls per command name, counted since redis-server started */
export type CommandCalls = Map<string, number>;

export class RedisStats {
  private readonly client: Redis;

  constructor(url: string) {
    this.client = new Redis(url, { maxRetriesPerRequest: 1 });
  }

  async pid(): Promise<number> {
    const pid = /^process_id:(\d+)/m.exec(await this.client.info("server"))?.[1];
    if (!pid) throw new Error("redis INFO server has no process_id");
    return Number(pid);
  }

  async commandCalls(): Promise<CommandCalls> {
    const calls: CommandCalls = new Map();
    for (const match of (await this.client.info("commandstats")).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
      calls.set(match[1]!, Number(match[2]));
    return calls;
  }

  /**
   * Socket reads that brought commands, since redis-server started: one per round trip of a client
   * (a pipeline's commands arrive in one read). Each is a wake-up of both processes, which is what a
   * command costs on a loopback socket, far more than running it. This reading counts itself.
   */
  async readsProcessed(): Promise<number> {
    const reads = /^total_reads_processed:(\d+)/m.exec(await this.client.info("stats"))?.[1];
    if (!reads) throw new Error("redis INFO stats has no total_reads_processed");
    return Number(reads);
  }

  /** The same configuration as flowgate's own local redis-server: AOF, fsync every second. */
  async configureLikeProduction(): Promise<void> {
    await this.client.config("SET", "appendfsync", "everysec");
  }

  async close(): Promise<void> {
    await this.client.quit();
  }
}

/** Adds the commands run between two readings to `total`; the bench's own INFO calls left out. */
export function addCommandsBetween(total: CommandCalls, before: CommandCalls, after: CommandCalls): void {
  for (const [name, calls] of after) {
    const run = calls - (before.get(name) ?? 0);
    if (name !== "info" && run > 0) total.set(name, (total.get(name) ?? 0) + run);
  }
}
