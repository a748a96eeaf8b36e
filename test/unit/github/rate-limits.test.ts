import pino from "pino";
import { describe, expect, it } from "vitest";
import { rateLimits, rateLimitWait } from "../../../src/github/rate-limits.js";

type Request = (options: { url: string }) => Promise<string>;

function wrapped(): (request: Request, options: { url: string }) => Promise<string> {
  let hook: ((request: Request, options: { url: string }) => Promise<string>) | undefined;
  rateLimits(pino({ level: "silent" }))({ hook: { wrap: (_name: string, fn: typeof hook) => (hook = fn) } });
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
});
