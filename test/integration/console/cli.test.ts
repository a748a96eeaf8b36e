/**
 * `flowgate apply --env ENV --all-pending` and `flowgate audit` through the API (FLOWGATE_URL and a
 * GitHub token): the person's eligibility decides, and the audit log names them; without --redis the
 * CLI never touches Redis.
 */
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CliIO } from "../../../src/cli/io.js";
import { runCli } from "../../../src/cli/main.js";
import { FAKE_CLIENT_ID, FAKE_CLIENT_SECRET } from "../../support/fake-github/oauth.js";
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

/** The web sign-in done by hand (login → consent → callback); returns the session cookie and a page's form token. */
async function signIn(base: string, login: string): Promise<{ cookie: string; csrf: string }> {
  const start = await fetch(`${base}/console/login`, { redirect: "manual" });
  const stateCookie = (start.headers.get("set-cookie") ?? "").split(";")[0]!;
  const consent = new URL(start.headers.get("location") ?? "");
  const grant = new URL("/login/oauth/_grant", consent);
  grant.searchParams.set("login", login);
  grant.searchParams.set("redirect_uri", consent.searchParams.get("redirect_uri") ?? "");
  grant.searchParams.set("state", consent.searchParams.get("state") ?? "");
  const back = await fetch(grant, { redirect: "manual" });
  const done = await fetch(back.headers.get("location") ?? "", {
    redirect: "manual",
    headers: { cookie: stateCookie },
  });
  const cookie = (done.headers.getSetCookie().find((c) => c.startsWith("flowgate_session=")) ?? "").split(
    ";",
  )[0]!;
  const page = await (await fetch(`${base}/console`, { headers: { cookie } })).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? "";
  return { cookie, csrf };
}

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

  it("a person starts every pending stack of an environment from the console, with the form token", async () => {
    process.env.GITHUB_CLIENT_ID = FAKE_CLIENT_ID;
    process.env.GITHUB_CLIENT_SECRET = FAKE_CLIENT_SECRET;
    const app = await h.another();
    const port = await app.listen(0, "127.0.0.1");
    const base = `http://127.0.0.1:${port}`;
    try {
      const sha = await mergePull(h, (await openPull(h, ["api"])).number);
      await waitForApplyCheck(h, sha, "api", (c) => c.status === "queued", "pending");
      const { cookie, csrf } = await signIn(base, "bob");
      expect(csrf).not.toBe("");
      const page = await (await fetch(`${base}/console?env=staging`, { headers: { cookie } })).text();
      expect(page).toContain("Start all 1 pending in staging");
      const post = (form: Record<string, string>) =>
        fetch(`${base}/console/apply-pending`, {
          method: "POST",
          headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams(form).toString(),
        });
      expect((await post({ env: "staging" })).status).toBe(403); // no form token
      const started = await post({ env: "staging", _csrf: csrf });
      expect(started.status).toBe(200);
      const body = await started.text();
      expect(body).toContain("acme/infra api: `api`: started");
      await waitForDispatch(h, { stack: "api", sha });
    } finally {
      await app.stop();
      delete process.env.GITHUB_CLIENT_ID;
      delete process.env.GITHUB_CLIENT_SECRET;
    }
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
