/**
 * `flowgate apply --env ENV --all-pending` and `flowgate audit` through the API (FLOWGATE_URL and a
 * GitHub token): the person's eligibility decides, and the audit log names them; without --redis the
 * CLI never touches Redis.
 */
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CliIO } from "../../../src/cli/io.js";
import { runCli } from "../../../src/cli/main.js";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import {
  configFiles,
  mergePull,
  openPull,
  REPO,
  settle,
  waitForApplyCheck,
  waitForDispatch,
} from "../apply/support.js";

function cli(env: Record<string, string>): { io: CliIO; out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), cwd: process.cwd(), env },
    out: () => out.join(""),
    err: () => err.join(""),
  };
}

describe("the operator commands through the API", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    seedRepo(
      h.gh,
      configFiles(
        [{ name: "api", environment: "staging" }],
        readFileSync("policies/examples/batch-deployments.yaml", "utf8"),
      ),
    );
    h.gh.setPermission(REPO, "alice", "write");
    h.gh.setPermission(REPO, "bob", "write");
    h.gh.setPermission(REPO, "reader", "read");
  });
  afterEach(async () => {
    await h.stop();
  });

  it("starts the pending stacks as the token's person, refusing someone who may not", async () => {
    const sha = await mergePull(h, (await openPull(h, ["api"])).number);
    await waitForApplyCheck(h, sha, "api", (c) => c.status === "queued", "pending");
    const FLOWGATE_URL = h.webhookUrl.replace("/api/github/webhooks", "");

    const reader = cli({ FLOWGATE_URL, GITHUB_TOKEN: h.gh.oauth.tokenFor("reader") });
    expect(await runCli(["apply", "--env", "staging", "--all-pending"], reader.io)).toBe(1);
    expect(reader.out()).toMatch(
      /^refused acme\/infra api \(job .*\): `api`: refused: reader may not apply this stack: needs write permission, has read\n$/,
    );
    await settle(200);
    expect(h.gh.dispatches(REPO)).toHaveLength(0);

    const bob = cli({ FLOWGATE_URL, GITHUB_TOKEN: h.gh.oauth.tokenFor("bob") });
    expect(await runCli(["apply", "--env", "staging", "--all-pending"], bob.io)).toBe(0);
    expect(bob.out()).toMatch(/^started acme\/infra api \(job .*\): `api`: started\n$/);
    await waitForDispatch(h, { stack: "api", sha });

    const audit = cli({ FLOWGATE_URL, GITHUB_TOKEN: h.gh.oauth.tokenFor("alice") });
    expect(await runCli(["audit", "--since", "1h"], audit.io)).toBe(0);
    const entries = audit
      .out()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; actor?: string });
    expect(entries).toContainEqual(expect.objectContaining({ type: "command-refused", actor: "reader" }));
  });

  it("says how to reach flowgate, and refuses a token GitHub does not accept", async () => {
    const none = cli({});
    expect(await runCli(["audit"], none.io)).toBe(2);
    expect(none.err()).toContain("FLOWGATE_URL");
    const FLOWGATE_URL = h.webhookUrl.replace("/api/github/webhooks", "");
    const bad = cli({ FLOWGATE_URL, GITHUB_TOKEN: "ghu_unknown" });
    expect(await runCli(["audit"], bad.io)).toBe(2);
    expect(bad.err()).toContain("answered 401");
  });
});
