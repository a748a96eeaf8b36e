/**
 * The console's `/api/v1` as the CLI uses it (a GitHub user token): approving a waiting apply job is
 * checked as `/approve` is (same refusal reasons), audited with the person's login; a session-cookie
 * POST without the form token is refused; with no client id the console says how to configure it.
 */
import { afterEach, describe, expect, it } from "vitest";
import { FAKE_CLIENT_ID, FAKE_CLIENT_SECRET } from "../../support/fake-github/oauth.js";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import {
  completeRun,
  concluded,
  configFiles,
  mergePull,
  openPull,
  REPO,
  waitForApplyCheck,
  waitForDispatch,
  waitingForApproval,
} from "../apply/support.js";

const PAUSE = `apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: prod }
spec:
  selector: { kind: environment, id: production }
  flowControl:
    previewBeforeUpdateOrDestroy: true
    pauseBetweenPreviewAndUpdateOrDestroy: true
`;

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
  delete process.env.GITHUB_CLIENT_ID;
  delete process.env.GITHUB_CLIENT_SECRET;
});

function baseOf(harness: Harness): string {
  return harness.webhookUrl.replace("/api/github/webhooks", "");
}

describe("the console API", () => {
  it("approves a waiting apply job for an eligible person and refuses others with /approve's reason", async () => {
    process.env.GITHUB_CLIENT_ID = FAKE_CLIENT_ID;
    process.env.GITHUB_CLIENT_SECRET = FAKE_CLIENT_SECRET;
    h = await startHarness();
    const harness = h;
    seedRepo(harness.gh, configFiles([{ name: "web", environment: "production" }], PAUSE));
    harness.gh.setPermission(REPO, "alice", "write");
    harness.gh.setPermission(REPO, "bob", "write");
    harness.gh.setPermission(REPO, "reader", "read");
    const pull = await openPull(harness, ["web"]);
    const sha = await mergePull(harness, pull.number);
    await completeRun(harness, await waitForDispatch(harness, { stack: "web", operation: "plan", sha }));
    await waitForApplyCheck(harness, sha, "web", waitingForApproval, "waiting for approval");

    const base = baseOf(harness);
    const call = (token: string, path: string, method = "GET") =>
      fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    const bob = harness.gh.oauth.tokenFor("bob");
    const { items } = (await (await call(bob, "/api/v1/waiting")).json()) as {
      items: { jobId: string; status: string; whoMayUnblock: string }[];
    };
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ status: "awaiting_approval" });
    const jobId = items[0]!.jobId;

    const refused = await call(harness.gh.oauth.tokenFor("reader"), `/api/v1/jobs/${jobId}/approve`, "POST");
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toContain("needs write permission");

    const approved = await call(bob, `/api/v1/jobs/${jobId}/approve`, "POST");
    expect(((await approved.json()) as { message: string }).message).toContain("approved by @bob");
    expect(approved.status).toBe(200);
    await completeRun(harness, await waitForDispatch(harness, { stack: "web", operation: "apply", sha }));
    await waitForApplyCheck(harness, sha, "web", concluded("success"), "success");
    const audit = await harness.app.runtime.audit.since(new Date(0));
    expect(audit.some((e) => e.type === "command-refused" && e.actor === "reader")).toBe(true);
  });

  it("refuses a session POST without the form token, and says how to configure sign-in when unconfigured", async () => {
    h = await startHarness();
    const base = baseOf(h);
    const page = await fetch(`${base}/console`);
    expect(page.status).toBe(503);
    const text = await page.text();
    expect(text).toContain("GITHUB_CLIENT_ID");
    expect(text).toContain("GITHUB_CLIENT_SECRET");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    const api = await fetch(`${base}/api/v1/gates`, {
      method: "POST",
      headers: { cookie: "flowgate_session=forged.signature", "content-type": "application/json" },
      body: JSON.stringify({ repo: REPO, gate: "x", action: "open" }),
    });
    expect(api.status).toBe(401);
  });
});
