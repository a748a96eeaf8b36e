import type { Logger } from "pino";
import { ProbotOctokit } from "probot";
import { nodeFetch } from "../github/node-fetch.js";
import { type RetryOptions, rateLimits } from "../github/rate-limits.js";

// biome-ignore lint/suspicious/noExplicitAny: Octokit's option bag
type Options = Record<string, any>;

/**
 * Probot's Octokit with flowgate's rate-limit and retry handling (github/rate-limits.ts) in place of
 * plugin-throttling and plugin-retry: writes are paced by flowgate's own per-installation pacer (in
 * Redis, across processes). The `retry` options keep plugin-retry's meaning.
 */
export function flowgateOctokit(log: Logger, overrides: Options = {}) {
  const retry: RetryOptions = { ...(overrides.retry ?? {}) };
  // A function, so Probot's own throttle and retry options cannot turn the plugins back on.
  return ProbotOctokit.plugin(rateLimits(log, retry)).defaults((options: Options) => ({
    ...options,
    ...overrides,
    // GitHub's requests go over node:http (github/node-fetch.ts): a quarter of undici fetch's CPU.
    request: { fetch: nodeFetch, ...options.request, ...overrides.request },
    throttle: { ...options.throttle, ...(overrides.throttle ?? {}), enabled: false },
    retry: { enabled: false },
  }));
}
