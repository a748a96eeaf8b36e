/**
 * What a reconciliation pass costs in GitHub requests (issue #11: an installation at rest costs
 * nothing): 500 repositories, 20 of them with flowgate configuration, against the fake GitHub and a
 * real Redis. A pass runs with the workers paused, so only its own requests are counted; the
 * evaluations it asks for run between passes.
 */

import { type ReconcileReport, reconcileInstallation } from "../src/workers/reconcile/reconcile.js";
import type { FakeGitHub, RepoState } from "../test/support/fake-github/index.js";
import { type Harness, seedRepo, startHarness } from "../test/support/harness.js";

const REPOS = 500;
const CONFIGURED = 20;

/** Stacks that need no plan: an evaluated PR waits for approval and leaves no job running. */
const CONFIG = `apiVersion: flowgate/v1
kind: Stack
metadata: { name: app }
spec: { kind: aws_s3, environment: development, dir: infra/app }
---
apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: dev-no-plan }
spec:
  selector: { kind: environment, id: development }
  flowControl: { previewBeforeUpdateOrDestroy: false }
`;

interface PassCost {
  name: string;
  total: number;
  charged: number;
  report: ReconcileReport;
  /** charged requests by route */
  byRoute: Map<string, number>;
}

const route = (path: string) =>
  path
    .replace(/^\/repos\/[^/]+\/[^/]+/, "")
    .replace(/\/[0-9a-f]{40}/g, "/{sha}")
    .replace(/\/\d+/g, "/{n}") || "/";

function openPull(gh: FakeGitHub, repo: RepoState, branch: string, file: string) {
  const head = gh.commit(repo.fullName, branch, { [file]: `# ${branch}\n` });
  return gh.openPull({ repo: repo.fullName, head: { ref: branch, sha: head }, user: "dev" });
}

/** Until the fake has sent everything and flowgate's queues stay empty for a few looks. */
async function quiet(h: Harness): Promise<void> {
  const queues = h.app.runtime.queues;
  let calm = 0;
  await h.waitFor(
    async () => {
      await h.gh.settle();
      let busy = 0;
      for (const queue of [queues.events, queues.pulls, queues.jobs]) {
        const counts = await queue.getJobCounts("waiting", "active", "prioritized", "delayed");
        busy += Object.values(counts).reduce((a, b) => a + b, 0);
      }
      calm = busy === 0 ? calm + 1 : 0;
      return calm >= 3;
    },
    "flowgate to go quiet",
    120_000,
  );
}

async function pass(h: Harness, name: string, runtime = h.app.runtime): Promise<PassCost> {
  await quiet(h);
  for (const worker of h.app.workers) await worker.pause();
  const since = h.gh.requests.length;
  const report = await reconcileInstallation(runtime, 1);
  const requests = h.gh.requests.slice(since);
  for (const worker of h.app.workers) worker.resume();
  await quiet(h);
  const charged = requests.filter((r) => r.charged);
  const byRoute = new Map<string, number>();
  for (const r of charged) byRoute.set(route(r.path), (byRoute.get(route(r.path)) ?? 0) + 1);
  return { name, total: requests.length, charged: charged.length, report, byRoute };
}

export async function reconcileBench(): Promise<PassCost[]> {
  const started = Date.now();
  // Octokit's throttling and retry plugins schedule every request through Bottleneck, which costs
  // about 15 ms a request in-process: minutes here. They change no request, so they are off.
  const h = await startHarness({
    fake: { rateLimit: 1_000_000, etagPerToken: true },
    octokit: { throttle: { enabled: false }, retry: { enabled: false } },
  });
  try {
    const configured: RepoState[] = [];
    for (let i = 0; i < REPOS; i++) {
      const name = `repo-${String(i).padStart(3, "0")}`;
      if (i < CONFIGURED) {
        const repo = seedRepo(
          h.gh,
          { ".github/flowgate/stacks.yml": CONFIG, "infra/app/main.tf": "#\n" },
          name,
        );
        h.gh.setPermission(repo.fullName, "dev", "write");
        openPull(h.gh, repo, "change-1", "infra/app/main.tf");
        openPull(h.gh, repo, "change-2", "docs/readme.md");
        configured.push(repo);
      } else {
        const repo = seedRepo(h.gh, {}, name);
        // Repositories without flowgate configuration have open PRs too.
        if (i % 40 === 0) openPull(h.gh, repo, "change-1", "src/index.ts");
      }
    }
    const passes = [await pass(h, "first pass"), await pass(h, "idle pass")];
    // A PR whose `opened` webhook never arrived: the fake sends none by itself.
    openPull(h.gh, configured[7]!, "missed", "infra/app/main.tf");
    passes.push(await pass(h, "after one missed pull_request event"));
    passes.push(await pass(h, "idle again"));
    // GitHub's ETags hold for one token: a process with a new installation token (GitHub renews them
    // hourly) pays once for every list and branch it asks again.
    const renewed = await h.another({ settings: { role: "web" } });
    passes.push(await pass(h, "idle, after the installation token is renewed", renewed.runtime));

    console.log(
      `\n## Reconciliation: GitHub requests per pass (${REPOS} repositories, ${CONFIGURED} configured)`,
    );
    console.log("| pass | requests | charged | repositories at rest | PRs re-evaluated |");
    console.log("|---|---:|---:|---:|---:|");
    for (const p of passes)
      console.log(
        `| ${p.name} | ${p.total} | ${p.charged} | ${p.report.reposAtRest} | ${p.report.pullsReevaluated} |`,
      );
    for (const p of passes) {
      const routes = [...p.byRoute].map(([r, n]) => `${r} ${n}`).join(", ");
      if (routes) console.log(`- charged in the ${p.name}: ${routes}`);
    }
    console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s in all)`);
    return passes;
  } finally {
    await h.stop();
  }
}
