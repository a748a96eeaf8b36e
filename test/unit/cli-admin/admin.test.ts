import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliIO } from "../../../src/cli/io.js";
import { runCli } from "../../../src/cli/main.js";
import { AuditLog } from "../../../src/observability/audit.js";
import { connect } from "../../../src/state/redis.js";
import { startRedis, type TestRedis } from "../../support/redis.js";

function io(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), cwd: process.cwd(), env };
  return { cli, out: () => out.join(""), err: () => err.join("") };
}

describe("flowgate audit and usage", () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
    const client = connect(redis.url);
    const now = Date.now();
    const audit = new AuditLog(
      client,
      () => undefined,
      90,
      () => new Date(now),
    );
    const status = (jobId: string, policy: string, decision: string, minutes: number, reason = decision) =>
      audit.record({
        type: "job-status",
        jobId,
        policy,
        decision,
        reason,
        at: new Date(now - 60 * 60_000 + minutes * 60_000).toISOString(),
      });
    // prod-default: one job waits 20 minutes for approval, one is rejected; dev-default applies on its own.
    await status("a1", "prod-default", "planning", 0);
    await status("a1", "prod-default", "awaiting_approval", 2);
    await status("a1", "prod-default", "applying", 22);
    await status("a1", "prod-default", "succeeded", 25);
    await status("a2", "prod-default", "planning", 0);
    await status("a2", "prod-default", "awaiting_approval", 3);
    await status("a2", "prod-default", "cancelled", 10, "cancelled by @bob: rejected: not now");
    await status("d1", "dev-default", "planning", 0);
    await status("d1", "dev-default", "applying", 1);
    await status("d1", "dev-default", "succeeded", 3);
    await audit.record({
      type: "verification",
      jobId: "a1",
      policy: "prod-default",
      decision: "failed",
      reason: "api health: status 503",
      at: new Date(now - 30 * 60_000).toISOString(),
    });
    await audit.record({
      type: "override",
      actor: "oncall",
      reason: "INCIDENT-1",
      at: new Date(now - 10 * 86_400_000).toISOString(),
    });
    client.disconnect();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it("audit prints the entries since a time as JSON lines", async () => {
    const t = io({ REDIS_URL: redis.url });
    expect(await runCli(["audit", "--since", "7d", "--redis"], t.cli)).toBe(0);
    const lines = t
      .out()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(11);
    expect(lines.filter((l) => l.type === "job-status")).toHaveLength(10);
  });

  it("usage summarises per policy in the seed's shape", async () => {
    const t = io({ REDIS_URL: redis.url });
    expect(await runCli(["usage", "--days", "7", "--redis"], t.cli)).toBe(0);
    const text = t.out();
    expect(text).toContain(
      "Policy: prod-default\n- Applied to: 2 stack jobs\n- Approvals required: 2\n- Average wait time: 20 minutes\n- Rejected: 1",
    );
    expect(text).toContain("Policy: dev-default\n- Applied to: 1 stack jobs\n- Auto-approved: 1");
    expect(text).toContain("- Verified after apply: 0 passed, 1 failed");
    const json = io({ REDIS_URL: redis.url });
    await runCli(["usage", "--days", "7", "--json", "--redis"], json.cli);
    expect(JSON.parse(json.out())).toContainEqual(
      expect.objectContaining({ policy: "prod-default", jobs: 2, rejected: 1, averageWaitSeconds: 1200 }),
    );
  });

  it("without a Redis to read, says how to point at one", async () => {
    const t = io({ FLOWGATE_DATA_DIR: "/nonexistent" });
    expect(await runCli(["usage"], t.cli)).toBe(2);
    expect(t.err()).toContain("REDIS_URL");
  });
});

describe("a CLI pointed at a Redis that is gone", () => {
  it("fails at once with a clear message instead of retrying", async () => {
    const gone = await startRedis();
    const url = gone.url;
    await gone.stop();
    const { cli, out, err } = io({ REDIS_URL: url });
    const code = await runCli(["audit", "--since", "1d", "--redis"], cli);
    expect(code).toBe(1);
    expect(out()).toBe("");
    expect(err()).toContain(`flowgate audit: cannot reach flowgate's Redis at ${url} (connect ECONNREFUSED`);
    // The old client retried 20 times (about 15 s) and then said only "max retries per request".
  });
});
