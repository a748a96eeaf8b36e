/**
 * The console in a real browser (issue 12): sign-in through the fake GitHub's OAuth pages, per-person
 * visibility, the pipeline graph of three dependent stacks, a gate opened by an opener and refused
 * for someone else, user text shown inert, a forged cross-site POST refused, and the API's token check.
 */
import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  comment,
  completeRun,
  concluded,
  configFiles,
  mergePull,
  openPull,
  REPO,
  waitForApplyCheck,
  waitForDispatch,
} from "../integration/apply/support.js";
import { FAKE_CLIENT_ID, FAKE_CLIENT_SECRET } from "../support/fake-github/oauth.js";
import { type Harness, seedRepo, startHarness } from "../support/harness.js";
import { launchChromium, SCREENSHOTS } from "./chromium.js";

const OTHER = "acme/payments";

/** The text of an element, once it is there (after a navigation a click started). */
async function textOf(locator: Locator): Promise<string> {
  await locator.first().waitFor({ timeout: 10_000 });
  return (await locator.first().textContent()) ?? "";
}
const DOCS = `apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: direct }
spec:
  selector: { kind: environment, id: production }
  flowControl:
    previewBeforeUpdateOrDestroy: false
    pauseBetweenPreviewAndUpdateOrDestroy: false
---
apiVersion: flowgate/v1
kind: Gate
metadata: { name: deploy-window }
spec:
  default: closed
  blocks: [apply]
`;
const STACKS = [
  { name: "network", environment: "production" },
  { name: "database", environment: "production", dependsOn: ["network"] },
  { name: "service", environment: "production", dependsOn: ["database"] },
  { name: "web", environment: "production", gates: ["deploy-window"] },
];
const XSS = `<script>window.__xss=1</script><img src=x onerror="window.__xss=2">`;

describe("the console in Chromium", () => {
  let h: Harness;
  let browser: Browser;
  let closeBrowser: (() => Promise<void>) | undefined;
  let base: string;
  let sha: string;
  const saved = { id: process.env.GITHUB_CLIENT_ID, secret: process.env.GITHUB_CLIENT_SECRET };

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  /** Signs `login` in through the consent page, in a fresh browser context; returns its page. */
  async function signIn(login: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${base}/console`);
    await page.getByRole("link", { name: "Sign in with GitHub" }).click();
    await page.getByRole("link", { name: `Authorize as ${login}` }).click();
    await page.waitForURL(`${base}/console`);
    expect(await textOf(page.locator("header .me"))).toContain(`@${login}`);
    return page;
  }

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    process.env.GITHUB_CLIENT_ID = FAKE_CLIENT_ID;
    process.env.GITHUB_CLIENT_SECRET = FAKE_CLIENT_SECRET;
    h = await startHarness();
    base = h.webhookUrl.replace("/api/github/webhooks", "");
    seedRepo(h.gh, configFiles(STACKS, DOCS));
    seedRepo(
      h.gh,
      configFiles([{ name: "ledger", environment: "production", gates: ["deploy-window"] }], DOCS),
      "payments",
    );
    h.gh.setPermission(REPO, "alice", "write");
    h.gh.setPermission(REPO, "maria", "maintain");
    h.gh.setPermission(OTHER, "bob", "admin");
    // A merge of three dependent stacks and a gated one; the payments repository gets a held job too.
    const pull = await openPull(h, ["network", "database", "service", "web"]);
    await comment(h, pull, "alice", `/reject web -- ${XSS}`);
    await h.waitFor(
      async () => (await h.app.runtime.audit.since(new Date(0))).some((e) => e.reason?.includes("<script>")),
      "the rejection in the audit log",
    );
    sha = await mergePull(h, pull.number);
    const network = await waitForDispatch(h, { stack: "network", operation: "apply", sha });
    await completeRun(h, network);
    await waitForApplyCheck(h, sha, "network", concluded("success"), "success");
    await waitForDispatch(h, { stack: "database", operation: "apply", sha });
    // An open PR whose plans have not run: held, and listed with the jobs.
    const open = await openPull(h, ["web"], { branch: "still-open" });
    await comment(h, open, "maria", "/reject web -- not in this window");
    await h.waitFor(
      async () =>
        (await h.app.runtime.pulls.get(h.gh.repo(REPO).id, open.number))?.lastDecision?.conclusion ===
        "failure",
      "the open PR's flowgate check failing on the rejection",
    );
    const other = await openPull(h, ["ledger"], { author: "bob" }, OTHER);
    await mergePull(h, other.number, OTHER);
    ({ browser, close: closeBrowser } = await launchChromium());
  });
  afterAll(async () => {
    await closeBrowser?.();
    await h?.stop();
    process.env.GITHUB_CLIENT_ID = saved.id;
    process.env.GITHUB_CLIENT_SECRET = saved.secret;
  });

  it("signs in with GitHub and shows only the person's repositories", async () => {
    const context = await browser.newContext();
    const anonymous = await context.newPage();
    const first = await anonymous.goto(`${base}/console`);
    expect(first?.status()).toBe(401);
    expect(first?.headers()["content-security-policy"]).toContain("default-src 'none'");
    await shot(anonymous, "sign-in");
    await context.close();

    const page = await signIn("alice");
    const waiting = page.locator("tr[data-job]");
    await expect.poll(() => waiting.count(), { timeout: 10_000 }).toBeGreaterThan(0);
    const text = await page.locator("main").textContent();
    expect(text).toContain("web");
    expect(text).toContain("held by gate deploy-window");
    expect(text).toContain("PR #2");
    expect(text).toContain("deploy-window: people with maintain or admin permission");
    expect(text).not.toContain("payments");
    expect(text).not.toContain("ledger");
    await shot(page, "waiting");
    // The held PR's page: flowgate's decision and what its sticky comment says.
    await page.getByRole("link", { name: "#2", exact: true }).click();
    expect(await textOf(page.locator("h1"))).toBe("Pull request #2");
    expect(await textOf(page.locator("pre.sticky"))).toContain("web");
    expect(await textOf(page.locator("main"))).toContain("rejected by @maria");
    await shot(page, "pull");
    await page.goto(`${base}/console/gates`);
    expect(await page.locator("tr[data-gate]").count()).toBe(1);
    expect(await page.locator("main").textContent()).not.toContain("payments");
    // Asking for the other repository's pipeline by URL shows nothing of it.
    const hidden = await page.goto(`${base}/console/pipelines?repo=${encodeURIComponent(OTHER)}&sha=${sha}`);
    expect(hidden?.status()).toBe(404);
    await page.context().close();
  });

  it("draws the merge's pipeline with each stack's state and its dependsOn edges", async () => {
    const page = await signIn("alice");
    await page.goto(`${base}/console/pipelines?repo=${encodeURIComponent(REPO)}&sha=${sha}`);
    const status = (stack: string) =>
      page.locator(`svg g.node[data-stack="${stack}"]`).getAttribute("data-status");
    expect(await status("network")).toBe("succeeded");
    expect(["planning", "applying"]).toContain(await status("database"));
    expect(await status("service")).toBe("queued");
    expect(await status("web")).toBe("queued");
    expect(await page.locator("svg path.edge").count()).toBe(2);
    await shot(page, "pipeline");
    await page.context().close();
  });

  it("refuses a gate to someone who may not open it, with the reason, and opens it for an opener", async () => {
    const alice = await signIn("alice");
    await alice.goto(`${base}/console/gates`);
    await alice.getByRole("button", { name: "Open" }).click();
    expect(await textOf(alice.locator(".notice.bad"))).toContain(
      "you may not open gate `deploy-window`: opening or closing deploy-window needs admin or maintain permission",
    );
    expect(await alice.locator('tr[data-gate="deploy-window"] .pill').textContent()).toBe("closed");
    await shot(alice, "gate-refused");
    await alice.context().close();

    // Someone watching the waiting page sees the held job leave it without reloading.
    const watcher = await signIn("alice");
    await watcher.evaluate("window.__sameDocument = true");
    expect(await watcher.locator("tr[data-job] strong", { hasText: "web" }).count()).toBe(1);

    const maria = await signIn("maria");
    await maria.goto(`${base}/console/gates`);
    await maria.getByLabel("for how long").fill("2h");
    await maria.getByRole("button", { name: "Open" }).click();
    expect(await textOf(maria.locator(".notice.ok"))).toContain("gate `deploy-window` is open for 2h");
    expect(await maria.locator('tr[data-gate="deploy-window"]').textContent()).toContain(
      "opened by @maria until",
    );
    await shot(maria, "gates");
    // The held job goes on by itself, and the audit log names the person.
    await waitForDispatch(h, { stack: "web", operation: "apply", sha });
    await expect
      .poll(() => watcher.locator("tr[data-job] strong", { hasText: "web" }).count(), { timeout: 15_000 })
      .toBe(0);
    expect(await watcher.evaluate("window.__sameDocument")).toBe(true);
    await watcher.context().close();
    const audit = await h.app.runtime.audit.since(new Date(0));
    expect(audit.find((e) => e.type === "gate-opened")?.actor).toBe("maria");
    expect(audit.find((e) => e.type === "gate-refused")?.actor).toBe("alice");
    await maria.context().close();
  });

  it("shows a reason carrying <script> as text, and a gate name from a tampered form too", async () => {
    const page = await signIn("alice");
    await page.goto(`${base}/console/audit?repo=${encodeURIComponent(REPO)}`);
    expect(await textOf(page.locator("main"))).toContain(XSS);
    await shot(page, "audit");
    await page.goto(`${base}/console/usage`);
    expect(await page.locator("tr[data-policy]").count()).toBeGreaterThan(0);
    await shot(page, "usage");
    await page.goto(`${base}/console/gates`);
    await page.evaluate(`document.querySelector('input[name="gate"]').value = ${JSON.stringify(XSS)}`);
    await page.getByRole("button", { name: "Close" }).click();
    expect(await textOf(page.locator(".notice.bad"))).toContain(`there is no gate named \`${XSS}\``);
    expect(await page.evaluate("window.__xss")).toBeUndefined();
    await page.context().close();
  });

  it("refuses a forged cross-site POST", async () => {
    const page = await signIn("maria");
    const evil: Server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(`<form id="f" method="post" action="${base}/console/gates">
<input name="repo" value="${REPO}"><input name="gate" value="deploy-window"><input name="action" value="close"></form>
<script>document.getElementById("f").submit()</script>`);
    });
    await new Promise<void>((r) => evil.listen(0, "127.0.0.1", () => r()));
    try {
      const response = page.waitForResponse(
        (r) => r.url() === `${base}/console/gates` && r.request().method() === "POST",
      );
      await page.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
      expect((await response).status()).toBe(403);
      expect(await textOf(page.locator("main"))).toContain("cross-site request forgery");
      const toggle = await h.app.runtime.gates.toggle("deploy-window", "acme", h.gh.repo(REPO).id);
      expect(toggle?.state).toBe("open");
    } finally {
      evil.close();
      await page.context().close();
    }
  });

  it("the API refuses a missing or foreign token and answers a person's token with their repositories only", async () => {
    const get = (path: string, token?: string) =>
      fetch(`${base}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    expect((await get("/api/v1/me")).status).toBe(401);
    expect((await get("/api/v1/me", "ghu_not_a_token_github_knows")).status).toBe(401);
    const bob = h.gh.oauth.tokenFor("bob");
    const me = (await (await get("/api/v1/me", bob)).json()) as { login: string; repositories: string[] };
    expect(me).toEqual({ login: "bob", repositories: [OTHER] });
    const gates = (await (await get("/api/v1/gates", bob)).json()) as { gates: { repo: string }[] };
    expect(gates.gates.map((g) => g.repo)).toEqual([OTHER]);
    const foreign = await fetch(`${base}/api/v1/gates`, {
      method: "POST",
      headers: { authorization: `Bearer ${bob}`, "content-type": "application/json" },
      body: JSON.stringify({ repo: REPO, gate: "deploy-window", action: "close" }),
    });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { message: string }).message).toBe(
      "you cannot see this repository on GitHub",
    );
  });
});
