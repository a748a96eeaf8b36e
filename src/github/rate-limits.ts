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

/**
 * Rate limits without plugin-throttling's queue (Bottleneck cost about 8% of a worker's CPU per
 * event, while flowgate paces its writes itself): a secondary limit is retried after the
 * `retry-after` GitHub sends, a primary limit that resets within a minute is waited out, anything
 * else fails so the queue retries the work later instead of blocking a worker.
 */
export function rateLimits(log: Logger) {
  return (octokit: Any) => {
    octokit.hook.wrap("request", async (request: Any, options: Any) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await request(options);
        } catch (error) {
          const wait = rateLimitWait(error);
          if (!wait) throw error;
          const retry =
            wait.kind === "secondary"
              ? attempt < MAX_SECONDARY_RETRIES
              : attempt < MAX_PRIMARY_RETRIES && wait.ms <= MAX_PRIMARY_WAIT_MS;
          log.warn(
            { url: options.url, waitMs: wait.ms, attempt: attempt + 1, retry },
            `GitHub ${wait.kind} rate limit${retry ? ": retrying after the wait GitHub asks for" : ""}`,
          );
          if (!retry) throw error;
          await sleep(wait.ms);
        }
      }
    });
  };
}
