import Bottleneck from "bottleneck";
import type { Logger } from "pino";
import { ProbotOctokit } from "probot";

// biome-ignore lint/suspicious/noExplicitAny: Octokit's option bag
type Options = Record<string, any>;

/** Writes are paced by flowgate's own per-installation pacer (in Redis, across processes). */
const unpacedWrites = new Bottleneck.Group({ maxConcurrent: 10, minTime: 0 });

/**
 * Probot's Octokit with flowgate's throttling: rate limits are tracked per installation (Probot keys
 * them all under one id, so one busy installation would slow every other), secondary rate limits are
 * retried after the `retry-after` GitHub sends (Probot's default gives up), and a primary limit whose
 * reset is far away fails the request so the queue retries it later instead of blocking a worker.
 * plugin-retry (in Probot's Octokit) retries 5xx with backoff.
 */
export function flowgateOctokit(log: Logger, overrides: Options = {}) {
  return ProbotOctokit.defaults((options: Options) => {
    const installationId = options.auth?.installationId;
    return {
      ...options,
      ...overrides,
      throttle: {
        ...options.throttle,
        id: installationId ? `installation-${installationId}` : "app",
        write: unpacedWrites,
        // Comments too: plugin-throttling would add its own 3 s between comment creations on top of
        // flowgate's pacer, so every reply and new sticky comment would keep a person waiting 3 s.
        notifications: unpacedWrites,
        onSecondaryRateLimit: (
          retryAfter: number,
          request: Options,
          _octokit: unknown,
          retryCount: number,
        ) => {
          log.warn(
            { retryAfter, url: request.url },
            "GitHub secondary rate limit: retrying after retry-after",
          );
          return retryCount < 3;
        },
        onRateLimit: (retryAfter: number, request: Options, _octokit: unknown, retryCount: number) => {
          log.warn({ retryAfter, url: request.url }, "GitHub rate limit reached");
          return retryAfter <= 60 && retryCount < 2;
        },
        ...(overrides.throttle ?? {}),
      },
    };
  });
}
