/**
 * The app's numbers (issue 3): webhook acknowledgement latency, end-to-end latency from webhook to the
 * posted `flowgate` check (p50/p99), throughput, and GitHub requests per PR event (total and charged,
 * i.e. not 304), against a local fake GitHub and a real Redis.
 */
import { autoCompleteRuns, BURST_CONFIG } from "../test/support/burst.js";
import type { FakeGitHub } from "../test/support/fake-github/index.js";
import { type Harness, seedRepo, startHarness } from "../test/support/harness.js";
import { pullRequestEvent } from "../test/support/webhooks.js";
import { percentile } from "./measure.js";

function openPull(gh: FakeGitHub, repo: string, i: number, dirs: string[]) {
  const files = Object.fromEntries(dirs.map((d) => [`${d}/main.tf`, `# ${i} ${Date.now()}\n`]));
  const head = gh.commit(repo, `bench-${i}`, files);
  return gh.openPull({ repo, head: { ref: `bench-${i}`, sha: head }, user: "dev" });
}

async function until(check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("bench: timed out");
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function ackLatency(): Promise<{ sequential: number[]; concurrent: number[] }> {
  // The web role alone: verify, map, enqueue. Workers would share this process's event loop otherwise.
  const h = await startHarness({ settings: { role: "web" } });
  try {
    const repo = seedRepo(h.gh, { ".github/flowgate/stacks.yml": BURST_CONFIG });
    const pull = openPull(h.gh, repo.fullName, 0, ["infra/app"]);
    const payload = pullRequestEvent(h.gh, "synchronize", pull);
    const sequential: number[] = [];
    for (let i = 0; i < 1000; i++)
      sequential.push((await h.gh.sendWebhook("pull_request", payload)).durationMs);
    const concurrent: number[] = [];
    for (let i = 0; i < 50; i++) {
      const batch = await Promise.all(
        Array.from({ length: 16 }, () => h.gh.sendWebhook("pull_request", payload)),
      );
      concurrent.push(...batch.map((b) => b.durationMs));
    }
    return { sequential, concurrent };
  } finally {
    await h.stop();
  }
}

async function endToEnd(h: Harness): Promise<{ latency: number[]; throughput: number }> {
  const repo = seedRepo(h.gh, { ".github/flowgate/stacks.yml": BURST_CONFIG }, "e2e");
  const latency: number[] = [];
  for (let i = 0; i < 50; i++) {
    const pull = openPull(h.gh, repo.fullName, i, ["infra/app"]);
    const start = Date.now();
    await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "opened", pull));
    await until(() => h.gh.checkRuns(repo.fullName, { headSha: pull.head.sha, name: "flowgate" }).length > 0);
    latency.push(Date.now() - start);
  }
  const pulls = Array.from({ length: 100 }, (_, i) => openPull(h.gh, repo.fullName, 1000 + i, ["infra/app"]));
  const start = Date.now();
  await Promise.all(pulls.map((p) => h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "opened", p))));
  await until(
    () =>
      pulls.every((p) => h.gh.checkRuns(repo.fullName, { headSha: p.head.sha, name: "flowgate" }).length > 0),
    120_000,
  );
  return { latency, throughput: (pulls.length / (Date.now() - start)) * 1000 };
}

/** A synchronize on a PR whose caches are warm: how many requests, and how many GitHub charges. */
async function requestsPerSynchronize(
  h: Harness,
  stacks: number,
): Promise<{ total: number; charged: number; byRoute: string[] }> {
  const dirs = ["infra/app", "infra/db"].slice(0, stacks);
  const repo = seedRepo(h.gh, { ".github/flowgate/stacks.yml": BURST_CONFIG }, `requests-${stacks}`);
  h.gh.setPermission(repo.fullName, "dev", "write");
  const pull = openPull(h.gh, repo.fullName, 0, dirs);
  await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "opened", pull));
  await until(
    () =>
      h.gh
        .comments(repo.fullName, pull.number)
        .some((c) => c.body.includes("flowgate:sticky") && c.body.includes("+1")),
    30_000,
  );
  await h.gh.settle();
  await new Promise((r) => setTimeout(r, 300));
  // Measure the synchronize alone: the plan run it dispatches is left running.
  const autoRun = h.gh.autoRun;
  h.gh.autoRun = null;
  const since = new Date();
  const pushed = h.gh.pushToPull(
    repo.fullName,
    pull.number,
    Object.fromEntries(dirs.map((d) => [`${d}/main.tf`, "# pushed\n"])),
  );
  await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "synchronize", pull, pushed));
  await until(
    () => h.gh.dispatches(repo.fullName).filter((d) => d.inputs.sha === pushed.after).length === stacks,
    30_000,
  );
  await until(
    () => h.gh.comments(repo.fullName, pull.number).some((c) => c.body.includes(pushed.after.slice(0, 7))),
    30_000,
  );
  await new Promise((r) => setTimeout(r, 300));
  h.gh.autoRun = autoRun;
  const requests = h.gh.requests.filter(
    (r) => r.at >= since && r.path.includes(`/requests-${stacks}`) && !r.path.includes("/artifacts"),
  );
  return {
    total: requests.length,
    charged: requests.filter((r) => r.charged).length,
    byRoute: requests.map(
      (r) => `${r.method} ${r.path.replace(/\/repos\/[^/]+\/[^/]+/, "").split("?")[0]} ${r.status}`,
    ),
  };
}

export async function appBench(): Promise<void> {
  const ack = await ackLatency();
  const h = await startHarness();
  autoCompleteRuns(h.gh, 20);
  try {
    const e2e = await endToEnd(h);
    const one = await requestsPerSynchronize(h, 1);
    const two = await requestsPerSynchronize(h, 2);
    console.log("\n## App: webhooks to checks (fake GitHub, real Redis)");
    console.log("| measure | p50 | p99 | goal |");
    console.log("|---|---:|---:|---|");
    console.log(
      `| webhook acknowledgement, sequential (1,000) | ${percentile(ack.sequential, 50).toFixed(1)} ms | ${percentile(ack.sequential, 99).toFixed(1)} ms | p99 < 20 ms |`,
    );
    console.log(
      `| webhook acknowledgement, 16 concurrent (800) | ${percentile(ack.concurrent, 50).toFixed(1)} ms | ${percentile(ack.concurrent, 99).toFixed(1)} ms | |`,
    );
    console.log(
      `| webhook → flowgate check posted (50 PRs, one at a time) | ${percentile(e2e.latency, 50)} ms | ${percentile(e2e.latency, 99)} ms | |`,
    );
    console.log(
      `\nThroughput: ${e2e.throughput.toFixed(1)} PRs/s from opened webhook to posted check (100 PRs at once).`,
    );
    console.log("\n## GitHub requests per synchronize, warm caches (floor: 3 + 2 per affected stack)");
    for (const [n, r] of [
      [1, one],
      [2, two],
    ] as const) {
      console.log(
        `- ${n} stack(s): ${r.total} requests, ${r.charged} charged (floor ${3 + 2 * n}): ${r.byRoute.join(", ")}`,
      );
    }
  } finally {
    await h.stop();
  }
}
