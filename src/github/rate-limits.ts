import type { Logger } from "pino";

// biome-ignore lint/suspicious/noExplicitAny: Octokit's plugin and request types
type Any = any;

const MAX_SECONDARY_RETRIES = 3;
const MAX_PRIMARY_RETRIES = 2;
/** A primary limit that resets later than this fails the request; the queue retries the work later. */
const MAX_PRIMARY_WAIT_MS = 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long GitHub asks to wait before this request may be tried again, or undefined: not a rate limit. */
export function rateLimitWait(
  error: Any,
  now = Date.now(),
): { kind: "secondary" | "primary"; ms: number } | undefined {
  const status = error?.status;
  if (status !== 403 && status !== 429) return undefined;
  const headers = error.response?.headers ?? {};
  const retryAfter = Number(headers["retry-after"]);
  const message = String(error.response?.data?.message ?? error.message ?? "");
  if (Number.isFinite(retryAfter) || /secondary rate limit/i.test(message))
    return { kind: "secondary", ms: (Number.isFinite(retryAfter) ? retryAfter : 60) * 1000 };
  if (headers["x-ratelimit-remaining"] === "0") {
    const reset = Number(headers["x-ratelimit-reset"]) * 1000;
    return {
      kind: "primary",
      ms: Number.isFinite(reset) ? Math.max(0, reset - now) : MAX_PRIMARY_WAIT_MS + 1,
    };
  }
  return undefined;
}

/** How flowgate retries a request GitHub failed (plugin-retry's options and defaults). */
export interface RetryOptions {
  enabled?: boolean;
  /** server errors are retried after base × 1, 4, 9 ms */
  retryAfterBaseValue?: number;
  retries?: number;
  /** statuses that retrying cannot fix */
  doNotRetry?: number[];
}

const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 451];

/**
 * Rate limits and server errors without plugin-throttling's and plugin-retry's Bottleneck queues
 * (together about 11% of a worker's CPU per event, while flowgate paces its writes itself):
 * - a secondary limit is retried after the `retry-after` GitHub sends;
 * - a primary limit that resets within a minute is waited out;
 * - a 5xx, a network error (Octokit reports it as 500) or another status retrying may fix is tried
 *   again after base × 1, 4, 9 (plugin-retry's schedule);
 * anything else fails, so the queue retries the work later instead of blocking a worker.
 */
export function rateLimits(log: Logger, retry: RetryOptions = {}) {
  const retries = retry.enabled === false ? 0 : (retry.retries ?? 3);
  const base = retry.retryAfterBaseValue ?? 1000;
  const doNotRetry = retry.doNotRetry ?? DO_NOT_RETRY;
  return (octokit: Any) => {
    octokit.hook.wrap("request", async (request: Any, options: Any) => {
      let limited = 0;
      let failed = 0;
      for (;;) {
        try {
          return await request(options);
        } catch (error) {
          const wait = rateLimitWait(error);
          if (wait) {
            const again =
              wait.kind === "secondary"
                ? limited < MAX_SECONDARY_RETRIES
                : limited < MAX_PRIMARY_RETRIES && wait.ms <= MAX_PRIMARY_WAIT_MS;
            limited++;
            log.warn(
              { url: options.url, waitMs: wait.ms, attempt: limited, retry: again },
              `GitHub ${wait.kind} rate limit${again ? ": retrying after the wait GitHub asks for" : ""}`,
            );
            if (!again) throw error;
            await sleep(wait.ms);
            continue;
          }
          const status = (error as { status?: number }).status;
          if (typeof status !== "number" || status < 400 || doNotRetry.includes(status) || failed >= retries)
            throw error;
          failed++;
          log.debug({ url: options.url, status, attempt: failed }, "GitHub failed the request: retrying");
          await sleep(base * failed * failed);
        }
      }
    });
  };
}
