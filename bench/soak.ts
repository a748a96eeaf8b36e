/**
 * `npm run soak`: a burst of webhooks over many PRs — with redeliveries, out-of-order deliveries and
 * badly signed requests — against a local fake GitHub and a real Redis; prints events, converged,
 * lost, doubled and latency percentiles. Options: SOAK_PULLS (200), SOAK_PUSHES (12), SOAK_REPOS (4),
 * SOAK_WRITE_INTERVAL_MS (0: GitHub's pacing of one write a second per installation is a property of
 * GitHub, not of flowgate; set 1000 to include it).
 */
import { autoCompleteRuns, convergence, sendBurst } from "../test/support/burst.js";
import { startHarness } from "../test/support/harness.js";
import { percentile } from "./measure.js";

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

async function main(): Promise<void> {
  const pulls = env("SOAK_PULLS", 200);
  const pushes = env("SOAK_PUSHES", 12);
  const repos = env("SOAK_REPOS", 4);
  const h = await startHarness({
    // 200 PRs of 13 heads each need about 15,000 requests: GitHub's 5,000 an hour would stop the run
    // within a minute (and nothing would converge), and rate limits are not what a soak measures.
    fake: { rateLimit: env("SOAK_RATE_LIMIT", 100_000_000) },
    settings: {
      writeIntervalMs: env("SOAK_WRITE_INTERVAL_MS", 0),
      workerConcurrency: env("SOAK_CONCURRENCY", 16),
    },
  });
  try {
    autoCompleteRuns(h.gh, 200);
    const started = Date.now();
    const burst = await sendBurst(
      h.gh,
      {
        pulls,
        pushes,
        duplicateRate: 0.25,
        badSignatures: 3,
        outOfOrderRate: 0.2,
        seed: 42,
        runDelayMs: 200,
        concurrency: 32,
      },
      repos,
    );
    const sentIn = Date.now() - started;
    const convergeMs: number[] = [];
    const seen = new Set<number>();
    const deadline = Date.now() + env("SOAK_TIMEOUT_MS", 600_000);
    while (Date.now() < deadline) {
      burst.pulls.forEach(({ repo, pull, lastPushAt }, i) => {
        if (seen.has(i)) return;
        if (
          h.gh.checkRuns(repo, { headSha: pull.head.sha, name: "flowgate" }).at(-1)?.conclusion === "success"
        ) {
          seen.add(i);
          convergeMs.push(Date.now() - lastPushAt);
        }
      });
      if (seen.size === burst.pulls.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await h.gh.settle();
    const total = Date.now() - started;
    const result = convergence(h.gh, burst);
    const fakeEvents = h.gh.deliveries.filter((d) => d.auto).length;
    console.log(`flowgate soak — node ${process.version}, ${new Date().toISOString()}`);
    console.log(`pulls ${pulls} in ${repos} repositories, ${pushes} pushes each`);
    console.log(
      `events            ${burst.events + fakeEvents} (${burst.events} sent by the burst incl. duplicates, ${fakeEvents} workflow_run and merge webhooks from the fake GitHub)`,
    );
    console.log(`rejected          ${burst.rejected} (bad or missing signatures)`);
    console.log(`converged         ${result.converged} / ${pulls}`);
    console.log(`lost              ${result.lost}`);
    console.log(`doubled           ${result.doubled} (dispatches ${result.dispatches})`);
    console.log(
      `ack latency       p50 ${percentile(burst.ackMs, 50).toFixed(1)} ms, p99 ${percentile(burst.ackMs, 99).toFixed(1)} ms`,
    );
    console.log(
      `converge latency  p50 ${percentile(convergeMs, 50)} ms, p99 ${percentile(convergeMs, 99)} ms (last push → flowgate success on that head)`,
    );
    console.log(
      `throughput        ${((burst.events / sentIn) * 1000).toFixed(0)} webhooks/s accepted; all converged in ${(total / 1000).toFixed(1)} s`,
    );
    if (result.notConverged.length)
      console.log(`not converged: ${result.notConverged.slice(0, 10).join("; ")}`);
    process.exitCode = result.lost === 0 && result.doubled === 0 ? 0 : 1;
  } finally {
    await h.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
