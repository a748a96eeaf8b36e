import type { Logger } from "pino";
import { ProbotOctokit } from "probot";
import { rateLimits } from "../github/rate-limits.js";

// biome-ignore lint/suspicious/noExplicitAny: Octokit's option bag
type Options = Record<string, any>;

/**
 * Probot's Octokit with flowgate's rate-limit handling (github/rate-limits.ts) in place of
 * plugin-throttling: writes are paced by flowgate's own per-installation pacer (in Redis, across
 * processes), and plugin-retry (in Probot's Octokit) retries 5xx with backoff.
 */
export function flowgateOctokit(log: Logger, overrides: Options = {}) {
  // A function, so Probot's own throttle options cannot turn the plugin back on.
  return ProbotOctokit.plugin(rateLimits(log)).defaults((options: Options) => ({
    ...options,
    ...overrides,
    throttle: { ...options.throttle, ...(overrides.throttle ?? {}), enabled: false },
  }));
}
