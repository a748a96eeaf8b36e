import type { Server } from "node:http";
import type { Worker } from "bullmq";
import type { Redis } from "ioredis";
import pino, { type Logger } from "pino";
import { Probot } from "probot";
import { formatDiagnostic } from "../config/diagnostics.js";
import { loadConfigDir } from "../config/load-dir.js";
import type { ConfigSet } from "../config/types.js";
import { createConsole } from "../console/index.js";
import type { ConsoleSettings } from "../console/settings.js";
import { WritePacer } from "../github/pacer.js";
import { AuditLog } from "../observability/audit.js";
import { Metrics } from "../observability/metrics.js";
import { Queues } from "../queue/queues.js";
import { ConfigService } from "../runtime/config-service.js";
import { type Clock, type Runtime, systemClock } from "../runtime/runtime.js";
import type { Settings } from "../runtime/settings.js";
import { ApplyStore } from "../state/applies.js";
import { FactCache } from "../state/facts.js";
import { GateStore } from "../state/gates.js";
import { HeadVerdictStore } from "../state/head-verdicts.js";
import { InstallationStore } from "../state/installations.js";
import { JobStore } from "../state/jobs.js";
import { OrgConfigAbsence } from "../state/org-config.js";
import { PullStore } from "../state/pulls.js";
import { connect, onRedisError } from "../state/redis.js";
import { VerificationStore } from "../state/verifications.js";
import { GitHubClients } from "./github-client.js";
import { flowgateOctokit } from "./octokit.js";
import { within } from "./signals.js";
import { createWebServer } from "./web.js";
import { flowgateWiring } from "./wiring.js";
import { startWorkers } from "./workers.js";

/** How long running work may finish when the process stops before it is handed back. */
const STOP_GRACE_MS = 2_500;

export interface FlowgateOptions {
  settings: Settings;
  redisUrl: string;
  appId: number | string;
  privateKey: string;
  webhookSecret: string;
  /** GitHub's API base (GHE or a fake in tests); default api.github.com */
  baseUrl?: string;
  clock?: Clock;
  log?: Logger;
  /** skip asking GitHub for the app's slug (tests) */
  appSlug?: string;
  /** Octokit options: tests turn retries' waits down */
  octokitDefaults?: Record<string, unknown>;
  /** the console's settings; default: read from the environment */
  console?: ConsoleSettings;
}

export interface Flowgate {
  runtime: Runtime;
  probot: Probot;
  server?: Server;
  workers: Worker[];
  /** listen (web role); returns the port */
  listen(port?: number, host?: string): Promise<number>;
  stop(): Promise<void>;
}

/** Builds the app: one Runtime shared by the web role (webhooks, probes) and the worker role. */
export async function createFlowgate(opts: FlowgateOptions): Promise<Flowgate> {
  const log = opts.log ?? pino({ level: process.env.LOG_LEVEL ?? "info" });
  let lastRedisError = 0;
  onRedisError((error) => {
    // A Redis restart makes every connection complain at once; one line a few seconds is enough.
    if (Date.now() - lastRedisError > 5_000)
      log.warn({ err: error }, `Redis connection error (reconnecting): ${error.message}`);
    lastRedisError = Date.now();
  });
  const redis = connect(opts.redisUrl, { name: "flowgate", autoPipelining: true });
  const connections: Redis[] = [redis];
  const workerConnection = () => {
    const c = connect(opts.redisUrl, { forWorker: true, name: "flowgate-worker" });
    connections.push(c);
    return c;
  };
  const queueConnection = connect(opts.redisUrl, { forWorker: true, name: "flowgate-queue" });
  connections.push(queueConnection);
  const queues = new Queues(queueConnection);
  const metrics = new Metrics();
  const clock = opts.clock ?? systemClock;
  const Octokit = flowgateOctokit(log, opts.octokitDefaults);
  const probot = new Probot({
    appId: opts.appId,
    privateKey: opts.privateKey,
    secret: opts.webhookSecret,
    ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}),
    log: log.child({ name: "probot" }),
    Octokit,
  });
  let appSlug = opts.appSlug ?? process.env.FLOWGATE_APP_SLUG ?? "";
  let githubOk = { at: 0, ok: false };
  const askGitHub = async (): Promise<boolean> => {
    if (Date.now() - githubOk.at < 60_000) return githubOk.ok;
    try {
      const app = await probot.auth();
      const { data } = await app.request("GET /app");
      if (!appSlug && data?.slug) appSlug = data.slug;
      githubOk = { at: Date.now(), ok: true };
    } catch (error) {
      log.warn({ err: error }, "GitHub did not answer GET /app");
      githubOk = { at: Date.now(), ok: false };
    }
    return githubOk.ok;
  };
  if (!appSlug) await askGitHub();
  // Aborted when the process stops: paced waits end and their work is handed back (issue 11).
  const stopping = new AbortController();
  const clients = new GitHubClients(
    probot,
    new WritePacer(redis, opts.settings.writeIntervalMs, stopping.signal),
    metrics,
    appSlug || "flowgate",
  );

  let platform: ConfigSet;
  try {
    platform = await loadConfigDir(opts.settings.platformDir, "platform");
  } catch (error) {
    throw new Error(
      `cannot read the platform policies in ${opts.settings.platformDir}: ${(error as Error).message}`,
    );
  }
  for (const d of platform.diagnostics) log.warn(`platform policy ${formatDiagnostic(d)}`);

  const runtime: Runtime = {
    settings: opts.settings,
    redis,
    queues,
    pulls: new PullStore(redis),
    jobs: new JobStore(redis),
    applies: new ApplyStore(redis),
    installations: new InstallationStore(redis),
    headVerdicts: new HeadVerdictStore(redis),
    verifications: new VerificationStore(redis),
    gates: new GateStore(redis),
    facts: new FactCache(redis),
    audit: new AuditLog(
      redis,
      (entry) => log.info({ audit: entry }, `audit ${entry.type}`),
      opts.settings.auditRetentionDays,
      () => clock.now(),
    ),
    metrics,
    config: new ConfigService(platform, new OrgConfigAbsence(redis)),
    github: (ref) => clients.port(ref),
    clock,
    log,
    appSlug: appSlug || "flowgate",
    listInstallations: async () => {
      const app = await probot.auth();
      const installations = await app.paginate("GET /app/installations", { per_page: 100 });
      return installations.map((i) => i.id);
    },
    wiring: flowgateWiring(),
  };

  const pool = opts.settings.role === "web" ? undefined : startWorkers(runtime, workerConnection, stopping);
  const workers = pool?.workers ?? [];
  if (workers.length > 0 && opts.settings.reconcileIntervalMs > 0) {
    // One schedule in Redis, shared by every process: missed webhooks are repaired periodically.
    await queues.maintenance.upsertJobScheduler(
      "reconcile",
      { every: opts.settings.reconcileIntervalMs },
      { name: "reconcile", data: { kind: "reconcile" } },
    );
    await queues.maintenance.add(
      "reconcile",
      { kind: "reconcile" },
      { jobId: `reconcile-start-${Math.floor(Date.now() / 60_000)}` },
    );
  }
  let server: Server | undefined;
  if (opts.settings.role !== "worker") {
    server = await createWebServer({
      webhookSecret: opts.webhookSecret,
      queues,
      redis,
      metrics,
      githubReachable: askGitHub,
      extraRoutes: createConsole(runtime, {
        ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}),
        ...(opts.console ? { settings: opts.console } : {}),
      }),
      refreshQueueDepth: async () => {
        for (const [name, queue] of Object.entries({
          events: queues.events,
          pulls: queues.pulls,
          jobs: queues.jobs,
        })) {
          const counts = await queue.getJobCounts("waiting", "delayed", "active", "failed");
          for (const [state, n] of Object.entries(counts)) metrics.queueDepth.set({ queue: name, state }, n);
        }
      },
    });
  }

  return {
    runtime,
    probot,
    ...(server ? { server } : {}),
    workers,
    listen: (port = opts.settings.port, host = opts.settings.host) =>
      new Promise((resolve, reject) => {
        if (!server) return resolve(0);
        server.once("error", reject);
        server.listen(port, host, () => {
          const address = server?.address();
          resolve(typeof address === "object" && address ? address.port : port);
        });
      }),
    // Within 10 s whatever the backlog: no new work, running work finished or handed back, then
    // the web server, the queues and Redis closed.
    stop: async () => {
      stopping.abort();
      const closingServer = new Promise<void>((resolve) =>
        server?.listening ? server.close(() => resolve()) : resolve(),
      );
      server?.closeIdleConnections?.();
      await pool?.stop(STOP_GRACE_MS);
      await within(closingServer, 500);
      await within(queues.close(), 500);
      await within(Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect()))), 500);
      for (const c of connections) c.disconnect();
    },
  };
}
