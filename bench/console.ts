/**
 * Page load time of the console's main view ("Waiting on people") with 200 waiting items across
 * four repositories (issue 12): a real Redis, the fake GitHub answering the person's repositories,
 * the web role only so nothing moves while it is measured. `npm run bench:console`.
 */

import { SESSION_COOKIE, Sessions } from "../src/console/session.js";
import { readConsoleSettings } from "../src/console/settings.js";
import type { StackJob } from "../src/engine/stack-job/types.js";
import { FAKE_CLIENT_ID, FAKE_CLIENT_SECRET } from "../test/support/fake-github/oauth.js";
import { seedRepo, startHarness } from "../test/support/harness.js";
import { percentile } from "./measure.js";

const ITEMS = 200;
const REPOS = ["infra", "network", "data", "platform"];
const GATE = `apiVersion: flowgate/v1
kind: Gate
metadata: { name: deploy-window }
spec:
  default: closed
  blocks: [apply]
`;

function waitingJob(i: number, repoId: number, repo: string, installationId: number): StackJob {
  const at = new Date(Date.now() - (i + 1) * 97_000).toISOString();
  const status = (["awaiting_approval", "pending", "awaiting_start"] as const)[i % 3]!;
  const sha = (i.toString(16).padStart(8, "0") + "f".repeat(32)).slice(0, 40);
  return {
    id: `${repoId}-a-stack${i}-${sha.slice(0, 12)}`,
    kind: "apply",
    installationId,
    owner: "acme",
    repo,
    stack: `stack-${i}`,
    environment: ["production", "staging", "dev"][i % 3]!,
    workflow: "flowgate.yml",
    path: `infra/stack-${i}`,
    sha,
    prNumber: 1 + i,
    controls: {
      isManual: status === "awaiting_start",
      disableOnLifecycleEvents: status === "pending",
      skipRefresh: false,
      previewBeforeUpdateOrDestroy: true,
      pauseBetweenPreviewAndUpdateOrDestroy: true,
    },
    policy: { name: "prod", file: ".github/flowgate/policies.yml" },
    timeouts: { planMs: 3_600_000, applyMs: 3_600_000, approvalMs: 86_400_000, planMaxAgeMs: 86_400_000 },
    dependsOn: [],
    gates: [],
    status,
    reason: `${status.replace(/_/g, " ")}: an eligible approver acts on the merged PR`,
    createdAt: at,
    updatedAt: at,
    runs: [],
    triggeredBy: { login: "dev", type: "user" },
    history: [{ at, status, note: "bench" }],
  };
}

async function main(): Promise<void> {
  process.env.GITHUB_CLIENT_ID = FAKE_CLIENT_ID;
  process.env.GITHUB_CLIENT_SECRET = FAKE_CLIENT_SECRET;
  const h = await startHarness({ settings: { role: "web" } });
  try {
    const repos = REPOS.map((name) => {
      const r = seedRepo(h.gh, { ".github/flowgate/gates.yml": GATE }, name);
      h.gh.setPermission(r.fullName, "alice", "write");
      return r;
    });
    for (let i = 0; i < ITEMS; i++) {
      const repo = repos[i % repos.length]!;
      await h.app.runtime.jobs.create(waitingJob(i, repo.id, repo.name, repo.installationId), repo.id);
    }
    const settings = readConsoleSettings();
    const sessions = new Sessions(h.app.runtime.redis, settings.sessionSecret, 3600);
    const session = await sessions.create("alice", h.gh.oauth.tokenFor("alice"));
    const cookie = `${SESSION_COOKIE}=${sessions.sign(session.id)}`;
    const url = h.webhookUrl.replace("/api/github/webhooks", "/console");
    const load = async () => {
      const start = performance.now();
      const res = await fetch(url, { headers: { cookie } });
      const body = await res.text();
      if (res.status !== 200) throw new Error(`bench: ${res.status} ${body.slice(0, 200)}`);
      return {
        ms: performance.now() - start,
        bytes: body.length,
        rows: body.split("<tr data-job=").length - 1,
      };
    };
    const cold = await load(); // asks GitHub for the person's installations and repositories
    for (let i = 0; i < 5; i++) await load();
    const times: number[] = [];
    let last = cold;
    for (let i = 0; i < 50; i++) {
      last = await load();
      times.push(last.ms);
    }
    console.log("\n## Console: main view (Waiting on people)");
    console.log("| measure | value |");
    console.log("|---|---:|");
    console.log(`| waiting items shown | ${last.rows} |`);
    console.log(`| page size (KB) | ${(last.bytes / 1024).toFixed(1)} |`);
    console.log(`| first load, visibility asked from GitHub (ms) | ${cold.ms.toFixed(1)} |`);
    console.log(`| load p50 (ms) | ${percentile(times, 50).toFixed(1)} |`);
    console.log(`| load p99 (ms) | ${percentile(times, 99).toFixed(1)} |`);
    const shotPath = process.env.FLOWGATE_CONSOLE_SCREENSHOT;
    if (shotPath) await screenshot(url, cookie, shotPath);
  } finally {
    await h.stop();
  }
}

/** The measured view as a person sees it (for docs/): Chromium with the same session cookie. */
async function screenshot(url: string, cookie: string, path: string): Promise<void> {
  const { launchChromium } = await import("../test/browser/chromium.js");
  const { browser, close } = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 820 } });
    const [name, value] = cookie.split("=") as [string, string];
    await context.addCookies([{ name, value, url }]);
    const page = await context.newPage();
    await page.goto(url);
    await page.screenshot({ path });
  } finally {
    await close();
  }
}

await main();
