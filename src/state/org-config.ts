import type { Redis } from "ioredis";
import { keys } from "./keys.js";

/** How long "this organization has no .github/flowgate" is believed without a push saying otherwise. */
export const ORG_ABSENCE_TTL_SECONDS = 15 * 60;

/**
 * Most organizations keep no `.github/flowgate/`, and a 404 cannot be asked conditionally: every event
 * would pay a charged request to hear it again. The answer is kept in Redis (shared by every process)
 * and forgotten when it can have changed: a push to the `.github` repository, its creation or rename,
 * or after the TTL.
 */
export class OrgConfigAbsence {
  constructor(private readonly redis: Redis) {}

  async isAbsent(org: string): Promise<boolean> {
    return (await this.redis.exists(keys.orgConfigAbsent(org))) === 1;
  }

  async markAbsent(org: string): Promise<void> {
    await this.redis.set(keys.orgConfigAbsent(org), "1", "EX", ORG_ABSENCE_TTL_SECONDS);
  }

  async forget(org: string): Promise<void> {
    await this.redis.del(keys.orgConfigAbsent(org));
  }
}
