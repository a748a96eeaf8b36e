import { afterEach, describe, expect, it } from "vitest";
import { autoCompleteRuns, convergence, sendBurst } from "../../support/burst.js";
import { type Harness, startHarness } from "../../support/harness.js";

const BURST = {
  pulls: 12,
  pushes: 2,
  duplicateRate: 0.3,
  badSignatures: 1,
  outOfOrderRate: 0.3,
  seed: 7,
  runDelayMs: 50,
  concurrency: 6,
};

async function converge(h: Harness, burst: Awaited<ReturnType<typeof sendBurst>>, timeoutMs = 45_000) {
  return h.waitFor(
    () => {
      const c = convergence(h.gh, burst);
      return c.lost === 0 ? c : undefined;
    },
    `every PR to converge (${convergence(h.gh, burst).notConverged.slice(0, 3).join("; ")})`,
    timeoutMs,
  );
}

describe("faults: every PR ends right, nothing lost, nothing doubled", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it("duplicate, out-of-order and badly signed deliveries", async () => {
    h = await startHarness();
    autoCompleteRuns(h.gh, BURST.runDelayMs);
    const burst = await sendBurst(h.gh, BURST);
    expect(burst.rejected).toBe(BURST.pulls * BURST.badSignatures);
    const result = await converge(h, burst);
    expect(result).toMatchObject({ lost: 0, doubled: 0 });
    // Bursts are coalesced: intermediate heads may never be planned, the final head exactly once.
    expect(result.dispatches).toBeLessThanOrEqual(BURST.pulls * (BURST.pushes + 1));
    for (const { repo, pull } of burst.pulls) {
      expect(h.gh.dispatches(repo).filter((d) => d.inputs.sha === pull.head.sha)).toHaveLength(1);
    }
  });

  it("GitHub answering 5xx and 429 to a share of requests", async () => {
    h = await startHarness();
    autoCompleteRuns(h.gh, BURST.runDelayMs);
    // Faults on the app's calls (not on the fake's own run completion); 429s carry retry-after.
    h.gh.setFaults({
      rate: 0.15,
      statuses: [500, 502, 503, 429],
      seed: 11,
      retryAfterSeconds: 1,
      match: /^(GET|POST|PATCH) \/repos\//,
    });
    const burst = await sendBurst(h.gh, { ...BURST, pulls: 8 });
    const result = await converge(h, burst, 60_000);
    h.gh.setFaults(null);
    expect(result).toMatchObject({ lost: 0, doubled: 0 });
    expect(h.gh.requests.some((r) => r.status >= 500)).toBe(true);
  });

  it("Redis killed and restarted (AOF) in the middle of a burst", async () => {
    h = await startHarness();
    autoCompleteRuns(h.gh, 300);
    const burst = await sendBurst(h.gh, { ...BURST, pulls: 10 });
    await h.redis.kill();
    await new Promise((r) => setTimeout(r, 500));
    await h.redis.restart();
    const result = await converge(h, burst, 60_000);
    expect(result).toMatchObject({ lost: 0, doubled: 0 });
  });
});
