/**
 * A burst of webhooks over many PRs against a fake GitHub, with redeliveries, out-of-order
 * `synchronize` deliveries and badly signed requests; then a check that every PR converged. Used by
 * the fault-injection tests and by `npm run soak`.
 */
import type { FakeGitHub } from "./fake-github/index.js";
import type { PullState } from "./fake-github/state.js";
import { planResult, seedRepo } from "./harness.js";
import { pullRequestEvent } from "./webhooks.js";

export const BURST_CONFIG = `apiVersion: flowgate/v1
kind: Stack
metadata: { name: app }
spec: { kind: aws_s3, environment: development, dir: infra/app }
---
apiVersion: flowgate/v1
kind: Stack
metadata: { name: db }
spec: { kind: aws_rds, environment: development, dir: infra/db }
---
apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: dev-fast }
spec:
  selector: { kind: environment, id: development }
  flowControl: { previewBeforeUpdateOrDestroy: true, pauseBetweenPreviewAndUpdateOrDestroy: false }
`;

export interface BurstOptions {
  pulls: number;
  /** pushes per PR after it is opened */
  pushes: number;
  /** share of deliveries sent twice with the same delivery id */
  duplicateRate: number;
  /** extra deliveries with a wrong signature, per PR */
  badSignatures: number;
  /** share of pushes whose webhooks are delivered in the wrong order */
  outOfOrderRate: number;
  seed: number;
  /** how long a plan run takes in the fake */
  runDelayMs: number;
  /** send webhooks concurrently in groups of this size */
  concurrency: number;
}

export interface BurstResult {
  events: number;
  rejected: number;
  ackMs: number[];
  /** from the last push of a PR to flowgate success on that head */
  convergeMs: number[];
  pulls: { repo: string; pull: PullState; lastPushAt: number }[];
}

export interface Convergence {
  converged: number;
  lost: number;
  doubled: number;
  dispatches: number;
  notConverged: string[];
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Plans complete on their own, with a result naming the job and commit they ran for. */
export function autoCompleteRuns(gh: FakeGitHub, delayMs: number): void {
  gh.autoRun = ({ run }) => ({
    conclusion: "success",
    result: planResult({ inputs: run.inputs }, { add: 1, change: 0, destroy: 0, replace: 0 }),
    delayMs,
  });
}

export async function sendBurst(gh: FakeGitHub, options: BurstOptions, repos = 1): Promise<BurstResult> {
  const random = rng(options.seed);
  const result: BurstResult = { events: 0, rejected: 0, ackMs: [], convergeMs: [], pulls: [] };
  const repoNames: string[] = [];
  for (let r = 0; r < repos; r++) {
    const repo = seedRepo(
      gh,
      { ".github/flowgate/stacks.yml": BURST_CONFIG, "infra/app/main.tf": "#\n", "infra/db/main.tf": "#\n" },
      `infra-${r}`,
    );
    gh.setPermission(repo.fullName, "dev", "write");
    repoNames.push(repo.fullName);
  }
  const deliveries: (() => Promise<void>)[][] = [];
  for (let i = 0; i < options.pulls; i++) {
    const repo = repoNames[i % repoNames.length]!;
    const stackDir = i % 2 === 0 ? "infra/app" : "infra/db";
    const branch = `change-${i}`;
    const head = gh.commit(repo, branch, { [`${stackDir}/main.tf`]: `# change ${i}\n` });
    const pull = gh.openPull({ repo, head: { ref: branch, sha: head }, user: "dev" });
    const entry = { repo, pull, lastPushAt: 0 };
    result.pulls.push(entry);
    const send = async (payload: object, name = "pull_request") => {
      const delivery = await gh.sendWebhook(name, payload);
      result.events++;
      result.ackMs.push(delivery.durationMs);
      if (random() < options.duplicateRate) {
        await gh.sendWebhook(name, payload, { deliveryId: delivery.deliveryId });
        result.events++;
      }
    };
    const steps: (() => Promise<void>)[] = [async () => send(pullRequestEvent(gh, "opened", pull))];
    for (let p = 0; p < options.pushes; p++) {
      steps.push(async () => {
        const pushed = gh.pushToPull(repo, pull.number, { [`${stackDir}/main.tf`]: `# change ${i}.${p}\n` });
        const payload = pullRequestEvent(gh, "synchronize", pull, pushed);
        entry.lastPushAt = Date.now();
        if (random() < options.outOfOrderRate && p > 0) {
          // An older head's event arrives after the newer one: flowgate must end on the newest head.
          await send(payload);
          const stale = JSON.parse(JSON.stringify(payload));
          stale.pull_request.head.sha = pushed.before;
          stale.pull_request.updated_at = new Date(Date.now() - 60_000).toISOString();
          await send(stale);
        } else await send(payload);
      });
    }
    for (let b = 0; b < options.badSignatures; b++) {
      steps.push(async () => {
        const delivery = await gh.sendWebhook("pull_request", pullRequestEvent(gh, "synchronize", pull), {
          signature: b % 2 ? "missing" : "wrong",
        });
        result.events++;
        if (delivery.status >= 400) result.rejected++;
      });
    }
    deliveries.push(steps);
  }
  // PRs advance in parallel, each PR's own deliveries in order.
  let active = deliveries.map((steps) => [...steps]);
  while (active.some((s) => s.length > 0)) {
    const round = active.filter((s) => s.length > 0).map((s) => s.shift()!);
    for (let i = 0; i < round.length; i += options.concurrency)
      await Promise.all(round.slice(i, i + options.concurrency).map((f) => f()));
    active = active.filter((s) => s.length > 0);
  }
  return result;
}

/** Every PR ends with `flowgate` success on its latest head; no job was dispatched twice. */
export function convergence(gh: FakeGitHub, burst: BurstResult): Convergence {
  let converged = 0;
  const notConverged: string[] = [];
  for (const { repo, pull } of burst.pulls) {
    const checks = gh.checkRuns(repo, { headSha: pull.head.sha, name: "flowgate" });
    if (checks.at(-1)?.conclusion === "success") converged++;
    else
      notConverged.push(
        `${repo}#${pull.number}: ${checks.at(-1)?.output.title ?? "no flowgate check on the latest head"}`,
      );
  }
  const byJob = new Map<string, number>();
  let dispatches = 0;
  for (const repo of new Set(burst.pulls.map((p) => p.repo))) {
    for (const d of gh.dispatches(repo)) {
      dispatches++;
      const key = `${d.inputs.job_id}/${d.inputs.operation}`;
      byJob.set(key, (byJob.get(key) ?? 0) + 1);
    }
  }
  const doubled = [...byJob.values()].filter((n) => n > 1).length;
  return { converged, lost: burst.pulls.length - converged, doubled, dispatches, notConverged };
}
