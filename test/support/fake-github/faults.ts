/**
 * Injected failures: a seeded (deterministic) share of matching requests, or the next N matching
 * requests, answer with an error status instead of being applied.
 */
import type { Reply } from "./router.js";
import { error } from "./router.js";
import { FakeGitHubUsageError } from "./state.js";

/** Tested against `"METHOD /path"`, e.g. `/^POST .*\/dispatches$/`; a string matches as a substring. */
export type RequestMatcher = RegExp | string | ((request: { method: string; path: string }) => boolean);

export interface FaultConfig {
  /** share of matching requests that fail, 0..1 */
  rate: number;
  /** statuses to answer with, picked in turn by the seeded generator; 403 and 429 answer as secondary rate limits */
  statuses: number[];
  seed: number;
  match?: RegExp;
  retryAfterSeconds?: number;
}

interface OneShot {
  matcher: RequestMatcher;
  status: number;
  left: number;
}

const SECONDARY =
  "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.";

/** mulberry32: small, fast and reproducible for a given seed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function matches(matcher: RequestMatcher, method: string, path: string): boolean {
  if (typeof matcher === "function") return matcher({ method, path });
  const line = `${method} ${path}`;
  return typeof matcher === "string" ? line.includes(matcher) : matcher.test(line);
}

function checkStatus(status: number): void {
  if (!Number.isInteger(status) || status < 400 || status > 599) {
    throw new FakeGitHubUsageError(`fake GitHub: a fault status must be 400..599, got ${status}`);
  }
}

export class Faults {
  private config: FaultConfig | null = null;
  private random: () => number = Math.random;
  private oneShots: OneShot[] = [];
  private retryAfter = 1;
  /** how many requests were failed on purpose */
  injected = 0;

  set(config: FaultConfig | null): void {
    if (config) {
      if (!(config.rate >= 0 && config.rate <= 1))
        throw new FakeGitHubUsageError("fake GitHub: fault rate must be 0..1");
      if (config.statuses.length === 0)
        throw new FakeGitHubUsageError("fake GitHub: fault statuses must not be empty");
      config.statuses.forEach(checkStatus);
      this.random = seeded(config.seed);
    }
    this.config = config;
    this.retryAfter = config?.retryAfterSeconds ?? 1;
  }

  failNext(matcher: RequestMatcher, status: number, times = 1): void {
    checkStatus(status);
    this.oneShots.push({ matcher, status, left: times });
  }

  /** The fault to answer with for this request, if any. */
  decide(method: string, path: string): Reply | undefined {
    const shot = this.oneShots.find((s) => s.left > 0 && matches(s.matcher, method, path));
    if (shot) {
      shot.left -= 1;
      this.oneShots = this.oneShots.filter((s) => s.left > 0);
      return this.reply(shot.status);
    }
    const config = this.config;
    if (!config || (config.match && !config.match.test(`${method} ${path}`))) return undefined;
    if (this.random() >= config.rate) return undefined;
    const status = config.statuses[Math.floor(this.random() * config.statuses.length)] ?? 500;
    return this.reply(status);
  }

  private reply(status: number): Reply {
    this.injected += 1;
    if (status === 403 || status === 429) {
      const reply = error(status, SECONDARY);
      return { ...reply, headers: { "retry-after": String(this.retryAfter) } };
    }
    if (status >= 500) return error(status, status === 502 ? "Server Error: Bad Gateway" : "Server Error");
    return error(status, `Injected fault (${status})`);
  }
}
