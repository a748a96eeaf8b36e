import { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Fixture, startFixture, statusOf } from "./setup.js";

let f: Fixture;
beforeEach(async () => {
  f = await startFixture();
});
afterEach(() => f.gh.stop());

const repo = { owner: "acme", repo: "infra" };

async function statuses(n: number): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < n; i++) {
    const response = await fetch(`${f.url}/repos/acme/infra`, {
      headers: { authorization: `token ${f.token}` },
    });
    seen.push(response.status);
  }
  return seen;
}

describe("injected faults", () => {
  it("fails a seeded, reproducible share of matching requests", async () => {
    f.gh.setFaults({ rate: 0.3, statuses: [500, 502, 429], seed: 42 });
    const first = await statuses(60);
    f.gh.setFaults({ rate: 0.3, statuses: [500, 502, 429], seed: 42 });
    const second = await statuses(60);
    expect(second).toEqual(first);
    const failed = first.filter((s) => s !== 200);
    expect(failed.length).toBeGreaterThan(6);
    expect(failed.length).toBeLessThan(36);
    expect(new Set(failed)).toEqual(new Set([500, 502, 429]));
    f.gh.setFaults({ rate: 0.3, statuses: [500], seed: 7 });
    expect(await statuses(60)).not.toEqual(first);
    f.gh.setFaults(null);
    expect(new Set(await statuses(20))).toEqual(new Set([200]));
  });

  it("only touches requests that match", async () => {
    f.gh.setFaults({ rate: 1, statuses: [503], seed: 1, match: /^POST .*\/comments$/ });
    expect(new Set(await statuses(5))).toEqual(new Set([200]));
    const sha = f.gh.commit("acme/infra", "x", { "a.tf": "a\n" });
    const pull = f.gh.openPull({ repo: "acme/infra", head: { ref: "x", sha }, user: "alice" });
    expect(
      await statusOf(f.octokit.rest.issues.createComment({ ...repo, issue_number: pull.number, body: "hi" })),
    ).toBe(503);
    // the request was not applied
    expect(f.gh.comments("acme/infra", pull.number)).toEqual([]);
    expect(f.gh.requests.at(-1)).toMatchObject({ status: 503, fault: true });
  });

  it("answers rate-limit faults in GitHub's secondary rate limit form with retry-after", async () => {
    f.gh.failNext("GET /repos/acme/infra", 429, 1);
    f.gh.failNext((r) => r.path === "/repos/acme/infra", 403, 1);
    for (const status of [429, 403]) {
      const response = await fetch(`${f.url}/repos/acme/infra`, {
        headers: { authorization: `token ${f.token}` },
      });
      expect(response.status).toBe(status);
      expect(response.headers.get("retry-after")).toBe("1");
      expect(((await response.json()) as { message: string }).message).toMatch(/secondary rate limit/);
    }
    expect(await statuses(1)).toEqual([200]);
  });

  it("lets Probot's retry plugin recover from a 502 and its throttling from a secondary limit", async () => {
    const octokit = new ProbotOctokit({
      auth: { token: f.token },
      baseUrl: f.url,
      retry: { retryAfterBaseValue: 1 },
      throttle: { retryAfterBaseValue: 1, fallbackSecondaryRateRetryAfter: 0 },
      log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    });
    f.gh.failNext("GET /repos/acme/infra", 502, 1);
    f.gh.failNext("GET /repos/acme/infra", 429, 1);
    const { data } = await octokit.rest.repos.get(repo);
    expect(data.full_name).toBe("acme/infra");
    expect(f.gh.requests.filter((r) => r.path === "/repos/acme/infra").map((r) => r.status)).toEqual([
      502, 429, 200,
    ]);
  });

  it("rejects nonsense configuration loudly", () => {
    expect(() => f.gh.setFaults({ rate: 2, statuses: [500], seed: 1 })).toThrow(/rate/);
    expect(() => f.gh.setFaults({ rate: 0.5, statuses: [], seed: 1 })).toThrow(/statuses/);
    expect(() => f.gh.failNext(/x/, 200)).toThrow(/400\.\.599/);
  });
});
