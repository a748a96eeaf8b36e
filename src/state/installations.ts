import type { Redis } from "ioredis";
import { keys } from "./keys.js";

/** What flowgate knows of an installation as a whole: whether it saw it before, and a loss of its state. */
export class InstallationStore {
  constructor(private readonly redis: Redis) {}

  async seen(installationId: number): Promise<boolean> {
    return (await this.redis.hexists(keys.installation(installationId), "seen")) === 1;
  }

  /** First seen now; `lost`: GitHub showed flowgate at work, so its Redis state was lost (SPEC §7). */
  async markSeen(installationId: number, at: string, lost: boolean): Promise<void> {
    await this.redis.hset(keys.installation(installationId), "seen", at, ...(lost ? ["lostSince", at] : []));
  }

  async lostSince(installationId: number): Promise<Date | undefined> {
    const raw = await this.redis.hget(keys.installation(installationId), "lostSince");
    return raw ? new Date(raw) : undefined;
  }
}
