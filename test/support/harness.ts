import pino from "pino";
import { createFlowgate, type Flowgate } from "../../src/app/create.js";
import type { Clock } from "../../src/runtime/runtime.js";
import { readSettings, type Settings } from "../../src/runtime/settings.js";
import { FakeGitHub } from "./fake-github/index.js";
import { startRedis, type TestRedis } from "./redis.js";

export const SECRET = "s3cret";

export interface Harness {
  gh: FakeGitHub;
  app: Flowgate;
  redis: TestRedis;
  webhookUrl: string;
  /** polls until `check` returns a truthy value (or throws its last error after the timeout) */
  waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs?: number): Promise<NonNullable<T>>;
  /** starts another app process on the same Redis (a second worker, or a restart) */
  another(options?: Partial<HarnessOptions>): Promise<Flowgate>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  settings: Partial<Settings>;
  clock: Clock;
  platformDir: string;
  redis: TestRedis;
  /** options for the fake GitHub (token lifetime, ...) */
  fake: ConstructorParameters<typeof FakeGitHub>[0];
  /** Octokit options on top of the harness's (benches turn the throttling and retry plugins off) */
  octokit: Record<string, unknown>;
}

async function waitFor<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 15_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One flowgate against a fake GitHub and its own redis-server, as close to production as a test gets. */
export async function startHarness(options: Partial<HarnessOptions> = {}): Promise<Harness> {
  const redis = options.redis ?? (await startRedis({ appendonly: true }));
  const gh = new FakeGitHub({ appSlug: "flowgate", webhookSecret: SECRET, ...options.fake });
  await gh.start();
  const apps: Flowgate[] = [];
  const make = async (o: Partial<HarnessOptions> = {}) => {
    const settings: Settings = {
      ...readSettings({}),
      writeIntervalMs: 0,
      dispatchLookupGraceMs: 300,
      workerConcurrency: 4,
      reconcileIntervalMs: 0,
      deadlineSweepMs: 100,
      ...((o.platformDir ?? options.platformDir)
        ? { platformDir: (o.platformDir ?? options.platformDir)! }
        : {}),
      ...options.settings,
      ...o.settings,
    };
    const app = await createFlowgate({
      settings,
      redisUrl: redis.url,
      appId: gh.appId,
      privateKey: gh.privateKey,
      webhookSecret: SECRET,
      baseUrl: gh.url,
      appSlug: gh.appSlug,
      log: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
      ...((o.clock ?? options.clock) ? { clock: (o.clock ?? options.clock)! } : {}),
      octokitDefaults: { retry: { retryAfterBaseValue: 20 }, ...options.octokit },
    });
    apps.push(app);
    return app;
  };
  const app = await make();
  const port = await app.listen(0, "127.0.0.1");
  const webhookUrl = `http://127.0.0.1:${port}/api/github/webhooks`;
  gh.setWebhookTarget(webhookUrl);
  return {
    gh,
    app,
    redis,
    webhookUrl,
    waitFor,
    another: make,
    stop: async () => {
      await gh.settle().catch(() => undefined);
      for (const a of apps) await a.stop().catch(() => undefined);
      await gh.stop();
      if (!options.redis) await redis.stop();
    },
  };
}

/** A flowgate.yml workflow file accepting SPEC §5's inputs, for the fake's dispatch validation. */
export const WORKFLOW_YAML = `name: flowgate
run-name: flowgate \${{ inputs.job_id }}
on:
  workflow_dispatch:
    inputs:
      job_id: { type: string, required: true }
      stack: { type: string, required: true }
      operation: { type: string, required: true }
      sha: { type: string, required: true }
      path: { type: string, required: true }
      refresh: { type: string, required: false }
      plan_run_id: { type: string, required: false }
jobs:
  run:
    runs-on: ubuntu-latest
    steps:
      - run: echo "$OPERATION"
        env:
          OPERATION: \${{ inputs.operation }}
`;

/** A repository with flowgate configuration on its default branch and the workflow flowgate dispatches. */
export function seedRepo(gh: FakeGitHub, files: Record<string, string>, name = "infra", owner = "acme") {
  if (!gh.store.installations.has(1))
    gh.addInstallation({ id: 1, account: { login: owner, type: "Organization" } });
  const repo = gh.addRepo({ owner, name, installationId: 1, files: { "README.md": "# infra\n", ...files } });
  gh.addWorkflow(repo.fullName, "flowgate.yml", { yaml: WORKFLOW_YAML });
  return repo;
}

export function planResult(
  run: { inputs: Record<string, string> },
  summary = { add: 1, change: 2, destroy: 0, replace: 0 },
) {
  const resources = [
    ...Array.from({ length: summary.add }, (_, i) => ({
      address: `aws_s3_bucket.new_${i}`,
      type: "aws_s3_bucket",
      action: "create",
      changedAttributes: [],
    })),
    ...Array.from({ length: summary.change }, (_, i) => ({
      address: `aws_db_instance.db_${i}`,
      type: "aws_db_instance",
      action: "update",
      changedAttributes: ["instance_class"],
    })),
    ...Array.from({ length: summary.destroy }, (_, i) => ({
      address: `aws_iam_role.old_${i}`,
      type: "aws_iam_role",
      action: "delete",
      changedAttributes: [],
    })),
  ];
  return {
    version: 1,
    jobId: run.inputs.job_id,
    stack: run.inputs.stack,
    operation: run.inputs.operation,
    sha: run.inputs.sha,
    outcome: "success",
    summary,
    resources,
    text: `Terraform will perform the following actions:\n${resources.map((r) => `  ${r.action} ${r.address}`).join("\n")}\n\nPlan: ${summary.add} to add, ${summary.change} to change, ${summary.destroy} to destroy.`,
  };
}
