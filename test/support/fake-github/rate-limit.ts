/**
 * Primary rate limits, one bucket per caller and resource, with GitHub's headers. A 304 is not
 * charged (GitHub does not count conditional requests that hit), nor is a refused request.
 */
import type { Caller } from "./router.js";

interface Bucket {
  used: number;
  resetAt: number;
}

export type Resource = "core" | "graphql";

export class RateLimits {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    public limit: number,
    private readonly windowMs = 3_600_000,
  ) {}

  private bucket(caller: Caller, resource: Resource, now: number): Bucket {
    const key = `${caller.kind === "app" ? "app" : `installation:${caller.installationId}`}:${resource}`;
    let bucket = this.buckets.get(key);
    if (!bucket || bucket.resetAt <= now) {
      bucket = { used: 0, resetAt: now + this.windowMs };
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  exhausted(caller: Caller, resource: Resource, now: number): boolean {
    return this.bucket(caller, resource, now).used >= this.limit;
  }

  charge(caller: Caller, resource: Resource, now: number): void {
    this.bucket(caller, resource, now).used += 1;
  }

  headers(caller: Caller, resource: Resource, now: number): Record<string, string> {
    const bucket = this.bucket(caller, resource, now);
    return {
      "x-ratelimit-limit": String(this.limit),
      "x-ratelimit-remaining": String(Math.max(0, this.limit - bucket.used)),
      "x-ratelimit-used": String(bucket.used),
      "x-ratelimit-reset": String(Math.ceil(bucket.resetAt / 1000)),
      "x-ratelimit-resource": resource,
    };
  }

  /** Every bucket starts over (a new hour). */
  reset(): void {
    this.buckets.clear();
  }
}
