/**
 * flowgate beside a bare Probot app (bench/bare-app.ts) on the same fake GitHub, in one run: each a
 * child process of its own, redis-server (flowgate's only) a third. Both get the same workload — one
 * `opened` pull request touching one stack per event, 50 events/s (BENCH_SIDE_RATE), one
 * installation each — in alternating blocks after a warm-up, so drift in the machine's load hits
 * both. flowgate's write pacing is off (FLOWGATE_WRITE_INTERVAL_MS=0) and so is the bare app's
 * Octokit throttling: this compares the work each app does, not GitHub's pacing.
 * BENCH_REDIS_MONITOR=<file> records the commands of flowgate's first measured block (redis-cli monitor).
 * BENCH_CPU_PROF_DIR=<dir> runs flowgate under `node --cpu-prof` (read it with bench/profile-top.ts).
 */
import { spawn } from "node:child_process";
import { openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../src/paths.js";
import { BURST_CONFIG } from "../test/support/burst.js";
import { FakeGitHub, type RequestRecord } from "../test/support/fake-github/index.js";
import { SECRET, seedRepo, WORKFLOW_YAML } from "../test/support/harness.js";
import { startRedis } from "../test/support/redis.js";
import { addCommandsBetween, type CommandCalls, RedisStats } from "./redis-stats.js";
import { BlockMeter } from "./side-meter.js";
import { type AppProcess, processUsage, startApp } from "./side-processes.js";
import { type LaneResult, printSideBySide } from "./side-table.js";
import { type PreparedEvent, preparePulls, RequestWatcher, sendSteadily } from "./side-workload.js";

const EVENTS_PER_SECOND = Number(process.env.BENCH_SIDE_RATE ?? 50);
const WARMUP_EVENTS = 50;
const BLOCKS = 5;
const BLOCK_EVENTS = 100;

const REPO_FILES = { ".github/flowgate/stacks.yml": BURST_CONFIG, "infra/app/main.tf": "#\n" };

interface Lane {
  app: AppProcess;
  installationId: number;
  events: PreparedEvent[];
  ackMs: number[];
  e2eMs: number[];
  /** from each block's first webhook to its last first check run */
  busyMs: number;
}

/** The Node flags `npm start` runs flowgate with, so the bench measures the app as it is started. */
function startFlags(): string[] {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  return (pkg.scripts.start ?? "").split(/\s+/).filter((arg) => arg.startsWith("--"));
}

function startFlowgate(gh: FakeGitHub, redisUrl: string): Promise<AppProcess> {
  const profileDir = process.env.BENCH_CPU_PROF_DIR;
  return startApp({
    name: "flowgate",
    script: "dist/src/app/main.js",
    env: {
      APP_ID: String(gh.appId),
      PRIVATE_KEY: gh.privateKey,
      WEBHOOK_SECRET: SECRET,
      FLOWGATE_GITHUB_API_URL: gh.url,
      REDIS_URL: redisUrl,
      FLOWGATE_WRITE_INTERVAL_MS: "0",
      // the periodic reconcile would list every open PR in the middle of some block
      FLOWGATE_RECONCILE_INTERVAL_MS: "0",
      LOG_LEVEL: "info",
    },
    nodeArgs: [
      ...startFlags(),
      ...(profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : []),
      // BENCH_FLOWGATE_NODE_ARGS: V8 flags to try on flowgate alone (space-separated)
      ...(process.env.BENCH_FLOWGATE_NODE_ARGS?.split(" ").filter(Boolean) ?? []),
    ],
  });
}

/** The bare app; `traffic`: it also makes flowgate's other GitHub requests per event (bench/bare-app.ts). */
function startBare(gh: FakeGitHub, traffic = false): Promise<AppProcess> {
  return startApp({
    name: traffic ? "bare+traffic" : "bare",
    script: "dist/bench/bare-app.js",
    env: {
      APP_ID: String(gh.appId),
      PRIVATE_KEY: gh.privateKey,
      WEBHOOK_SECRET: SECRET,
      BARE_GITHUB_API_URL: gh.url,
      ...(traffic ? { BARE_TRAFFIC: "flowgate" } : {}),
    },
  });
}

/** Sends the lane's next `count` events and waits until every head has a check run and the app is done. */
async function runBlock(gh: FakeGitHub, watcher: RequestWatcher, lane: Lane, count: number) {
  const events = lane.events.splice(0, count);
  const target = { url: lane.app.webhookUrl, secret: SECRET, appId: gh.appId };
  const sent = await sendSteadily(target, events, EVENTS_PER_SECOND);
  const e2eMs = await watcher.endToEnd(sent);
  // the fake's own webhooks (workflow_run) go out one at a time and may trail the block
  await gh.settle();
  await watcher.quiet(lane.installationId);
  const checkedAt = sent.map((s, i) => s.sentAt + e2eMs[i]!);
  const busyMs = Math.max(...checkedAt) - sent[0]!.sentAt;
  return { ackMs: sent.map((s) => s.ackMs), e2eMs, busyMs };
}

/**
 * BENCH_REDIS_MONITOR=<file>: every command flowgate's Redis runs during the first measured block
 * (`redis-cli monitor`), to see which keys and scripts an event costs. It slows Redis: read the
 * numbers of such a run for where the commands go, not for time.
 */
async function monitorRedis(url: string): Promise<{ stop(): Promise<void> } | undefined> {
  const file = process.env.BENCH_REDIS_MONITOR;
  if (!file) return undefined;
  const child = spawn("redis-cli", ["-u", url, "monitor"], {
    stdio: ["ignore", openSync(file, "w"), "inherit"],
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  return {
    stop: async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      child.kill();
    },
  };
}

const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);

/** The installation's requests, with the app-JWT requests that made its tokens. */
function requestsOf(gh: FakeGitHub, installationId: number, since: number): RequestRecord[] {
  return gh.requests.filter(
    (r) =>
      r.at.getTime() >= since &&
      (r.installationId === installationId || r.path.startsWith(`/app/installations/${installationId}/`)),
  );
}

export async function sideBySide(): Promise<void> {
  const startedAt = Date.now();
  const redis = await startRedis({ appendonly: true });
  const redisStats = new RedisStats(redis.url);
  await redisStats.configureLikeProduction();
  const gh = new FakeGitHub({
    appSlug: "flowgate",
    webhookSecret: SECRET,
    // GitHub's 5,000 an hour would run out within the run; rate limits are not what is measured
    rateLimit: 100_000_000,
    // with the fake's default of 1 s both apps would open a connection per request (GitHub keeps them)
    keepAliveTimeoutMs: 60_000,
  });
  await gh.start();
  const apps: AppProcess[] = [];
  try {
    const flowgateRepo = seedRepo(gh, REPO_FILES, "flowgate-bench", "acme").fullName;
    gh.setPermission(flowgateRepo, "dev", "write");
    gh.addInstallation({ id: 2, account: { login: "plain", type: "Organization" } });
    const bareRepo = gh.addRepo({ owner: "plain", name: "bare-bench", installationId: 2, files: REPO_FILES });
    gh.addInstallation({ id: 3, account: { login: "traffic", type: "Organization" } });
    const trafficRepo = gh.addRepo({ owner: "traffic", name: "bench", installationId: 3, files: REPO_FILES });
    gh.addWorkflow(trafficRepo.fullName, "flowgate.yml", { yaml: WORKFLOW_YAML });
    const flowgate = await startFlowgate(gh, redis.url);
    apps.push(flowgate);
    const bare = await startBare(gh);
    apps.push(bare);
    const traffic = await startBare(gh, true);
    apps.push(traffic);
    // the fake's own webhooks (workflow_run for flowgate's dispatches) go where GitHub would send them
    gh.setWebhookTarget(flowgate.webhookUrl);
    const perLane = WARMUP_EVENTS + BLOCKS * BLOCK_EVENTS;
    const lane = (app: AppProcess, installationId: number, repo: string): Lane => ({
      app,
      installationId,
      events: preparePulls(gh, repo, perLane),
      ackMs: [],
      e2eMs: [],
      busyMs: 0,
    });
    const lanes = [
      lane(flowgate, 1, flowgateRepo),
      lane(bare, 2, bareRepo.fullName),
      lane(traffic, 3, trafficRepo.fullName),
    ];
    const watcher = new RequestWatcher(gh);
    for (const l of lanes) await runBlock(gh, watcher, l, WARMUP_EVENTS);

    const redisPid = await redisStats.pid();
    const meter = new BlockMeter([
      { name: "flowgate", pid: flowgate.pid, app: "flowgate" },
      { name: "redis-server", pid: redisPid, app: "flowgate" },
      { name: "bare", pid: bare.pid, app: "bare" },
      { name: "bare+traffic", pid: traffic.pid, app: "bare+traffic" },
    ]);
    const commands: CommandCalls = new Map();
    const idleCommands: CommandCalls = new Map();
    let reads = 0;
    let idleMs = 0;
    const since = Date.now();
    const benchCpu = process.cpuUsage();
    for (let b = 0; b < BLOCKS; b++) {
      for (const l of lanes) {
        const monitor = b === 0 && l.app === flowgate ? await monitorRedis(redis.url) : undefined;
        const [before, callsBefore, readsBefore] = [
          meter.read(),
          await redisStats.commandCalls(),
          await redisStats.readsProcessed(),
        ];
        const block = await runBlock(gh, watcher, l, BLOCK_EVENTS);
        const [after, callsAfter, readsAfter] = [
          meter.read(),
          await redisStats.commandCalls(),
          await redisStats.readsProcessed(),
        ];
        meter.book(l.app.name, before, after);
        await monitor?.stop();
        // The bench's own two INFO calls after the block are reads too.
        if (l.app === flowgate) reads += readsAfter - readsBefore - 2;
        if (l.app === flowgate) addCommandsBetween(commands, callsBefore, callsAfter);
        else {
          addCommandsBetween(idleCommands, callsBefore, callsAfter);
          idleMs += after.at - before.at;
        }
        l.ackMs.push(...block.ackMs);
        l.e2eMs.push(...block.e2eMs);
        l.busyMs += block.busyMs;
      }
    }
    const measured = BLOCKS * BLOCK_EVENTS;
    const { user, system } = process.cpuUsage(benchCpu);
    const results: LaneResult[] = lanes.map((l) => ({
      name: l.app.name,
      events: measured,
      cpuMs: meter.workCpuMs.get(l.app.name)!,
      idlePercent: meter.idlePercent(l.app.name),
      peakRssMb: processUsage(l.app.pid).peakRssMb,
      ackMs: l.ackMs,
      e2eMs: l.e2eMs,
      checksPerSecond: (measured / l.busyMs) * 1000,
      requests: requestsOf(gh, l.installationId, since),
    }));
    const workload = `${measured} pull_request events each, ${BLOCKS} alternating blocks at ${EVENTS_PER_SECOND}/s after ${WARMUP_EVENTS} to warm up`;
    printSideBySide(workload, results, {
      cpuMs: meter.workCpuMs.get("redis-server")!,
      idlePercent: meter.idlePercent("redis-server"),
      peakRssMb: processUsage(redisPid).peakRssMb,
      commands,
      reads,
      idleCommandsPerSecond: (sum(idleCommands.values()) / idleMs) * 1000,
    });
    console.log(
      `\nThe bench's own process (fake GitHub, sender, watcher) used ${((user + system) / 1000 / (lanes.length * measured)).toFixed(2)} ms of CPU per event of any app.`,
    );
    console.log(`The side-by-side took ${((Date.now() - startedAt) / 1000).toFixed(0)} s.`);
  } finally {
    for (const app of apps) await app.stop();
    await redisStats.close();
    await gh.stop();
    await redis.stop();
  }
}
