import pino from "pino";
import { describe, expect, it } from "vitest";
import { type RetryOptions, rateLimits, rateLimitWait } from "../../../src/github/rate-limits.js";

type Request = (options: { url: string }) => Promise<string>;

function wrapped(retry: RetryOptions = {}): (request: Request, options: { url: string }) => Promise<string> {
  let hook: ((request: Request, options: { url: string }) => Promise<string>) | undefined;
  rateLimits(pino({ level: "silent" }), { retryAfterBaseValue: 1, ...retry })({
    hook: { wrap: (_name: string, fn: typeof hook) => (hook = fn) },
  });
  return hook!;
}

const limited = (status: number, headers: Record<string, string>, message = "") =>
  Object.assign(new Error(message), { status, response: { headers, data: { message } } });

describe("GitHub rate limits without plugin-throttling", () => {
  it("retries a secondary limit after the retry-after GitHub sends, at most three times", async () => {
    let calls = 0;
    const request: Request = async () => {
      calls++;
      if (calls <= 3) throw limited(429, { "retry-after": "0" });
      return "ok";
    };
    expect(await wrapped()(request, { url: "/repos/a/b/check-runs" })).toBe("ok");
    expect(calls).toBe(4);
    calls = 0;
    const always: Request = async () => {
      calls++;
      throw limited(403, { "retry-after": "0" }, "You have exceeded a secondary rate limit");
    };
    await expect(wrapped()(always, { url: "/x" })).rejects.toThrow(/secondary rate limit/);
    expect(calls).toBe(4);
  });

  it("fails at once on a primary limit that resets in more than a minute", async () => {
    let calls = 0;
    const reset = String(Math.floor(Date.now() / 1000) + 3600);
    const request: Request = async () => {
      calls++;
      throw limited(403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset });
    };
    await expect(wrapped()(request, { url: "/x" })).rejects.toMatchObject({ status: 403 });
    expect(calls).toBe(1);
  });

  it("leaves other errors alone", async () => {
    expect(rateLimitWait(limited(404, {}))).toBeUndefined();
    expect(rateLimitWait(limited(403, {}, "Resource not accessible by integration"))).toBeUndefined();
    expect(
      rateLimitWait(limited(403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "100" }), 40_000),
    ).toEqual({
      kind: "primary",
      ms: 60_000,
    });
  });

  describe("server errors, without plugin-retry", () => {
    const failing = (statuses: number[]) => {
      const seen: number[] = [];
      const request: Request = async () => {
        const status = statuses[seen.length];
        seen.push(status ?? 200);
        if (status === undefined) return "ok";
        throw Object.assign(new Error(`GitHub answered ${status}`), { status });
      };
      return { request, seen };
    };

    it("retries 5xx (and network errors, which Octokit reports as 500) up to three times", async () => {
      const flaky = failing([502, 500, 503]);
      expect(await wrapped()(flaky.request, { url: "/x" })).toBe("ok");
      expect(flaky.seen).toEqual([502, 500, 503, 200]);
      const down = failing([500, 500, 500, 500, 500]);
      await expect(wrapped()(down.request, { url: "/x" })).rejects.toThrow(/500/);
      expect(down.seen).toHaveLength(4);
    });

    it("waits base × 1, 4, 9 between tries, as plugin-retry did", async () => {
      const flaky = failing([500, 500, 500]);
      const started = Date.now();
      await wrapped({ retryAfterBaseValue: 20 })(flaky.request, { url: "/x" });
      expect(Date.now() - started).toBeGreaterThanOrEqual(20 * (1 + 4 + 9) - 5);
    });

    it("does not retry what retrying cannot fix, nor anything when retries are off", async () => {
      for (const status of [400, 401, 404, 410, 422]) {
        const refused = failing([status]);
        await expect(wrapped()(refused.request, { url: "/x" })).rejects.toThrow(String(status));
        expect(refused.seen).toEqual([status]);
      }
      const off = failing([503]);
      await expect(wrapped({ enabled: false })(off.request, { url: "/x" })).rejects.toThrow(/503/);
      expect(off.seen).toEqual([503]);
    });
  });
});
