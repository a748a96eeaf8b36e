/** Prints the side-by-side's results: both apps, the ratios, flowgate's routes and Redis commands. */
import type { RequestRecord } from "../test/support/fake-github/index.js";
import { percentile } from "./measure.js";

export interface LaneResult {
  name: string;
  events: number;
  /** CPU used during the app's own blocks */
  cpuMs: number;
  /** share of a core used while the other app's blocks ran */
  idlePercent: number;
  peakRssMb: number;
  ackMs: number[];
  e2eMs: number[];
  /** heads checked per second, from a block's first webhook to its last check run */
  checksPerSecond: number;
  requests: RequestRecord[];
}

export interface RedisResult {
  /** CPU used during flowgate's blocks */
  cpuMs: number;
  idlePercent: number;
  peakRssMb: number;
  /** commands run during flowgate's blocks */
  commands: Map<string, number>;
  /** socket reads redis-server processed during flowgate's blocks: its clients' round trips */
  reads: number;
  idleCommandsPerSecond: number;
}

const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 0)} ms`;
const mb = (n: number) => `${n.toFixed(0)} MB`;
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(1)}×` : "");

function route(r: RequestRecord): string {
  const path = r.path
    .replace(/^\/repos\/[^/]+\/[^/]+/, "/repos/:repo")
    .replace(/\/[0-9a-f]{40}\b/g, "/:sha")
    .replace(/\/\d+\b/g, "/:id");
  return `${r.method} ${path} ${r.status}`;
}

function countBy<T>(items: Iterable<T>, key: (item: T) => string): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]);
}

function rows(flowgate: LaneResult, bare: LaneResult, redis: RedisResult): string[][] {
  const per = (l: LaneResult) => ({
    cpu: l.cpuMs / l.events,
    requests: l.requests.length / l.events,
    charged: l.requests.filter((r) => r.charged).length / l.events,
  });
  const [f, b] = [per(flowgate), per(bare)];
  const redisCpu = redis.cpuMs / flowgate.events;
  const out = [
    ["CPU per event, app process", ms(f.cpu), ms(b.cpu), ratio(f.cpu, b.cpu)],
    ["CPU per event, redis-server", ms(redisCpu), "—", ""],
    ["CPU per event, app + redis-server", ms(f.cpu + redisCpu), ms(b.cpu), ratio(f.cpu + redisCpu, b.cpu)],
    [
      "CPU while the other app runs (idle)",
      `${flowgate.idlePercent.toFixed(1)}% of a core (+ ${redis.idlePercent.toFixed(1)}% redis)`,
      `${bare.idlePercent.toFixed(1)}% of a core`,
      "",
    ],
  ];
  for (const [label, pick] of [
    ["webhook ack", (l: LaneResult) => l.ackMs],
    ["webhook → first check run on its head", (l: LaneResult) => l.e2eMs],
  ] as const) {
    for (const p of [50, 99]) {
      const [fv, bv] = [percentile(pick(flowgate), p), percentile(pick(bare), p)];
      out.push([`${label}, p${p}`, ms(fv), ms(bv), ratio(fv, bv)]);
    }
  }
  out.push(
    [
      "throughput: heads checked per second",
      flowgate.checksPerSecond.toFixed(1),
      bare.checksPerSecond.toFixed(1),
      ratio(flowgate.checksPerSecond, bare.checksPerSecond),
    ],
    [
      "GitHub requests per event",
      f.requests.toFixed(2),
      b.requests.toFixed(2),
      ratio(f.requests, b.requests),
    ],
    [
      "GitHub requests per event, charged (not 304)",
      f.charged.toFixed(2),
      b.charged.toFixed(2),
      ratio(f.charged, b.charged),
    ],
    [
      "peak RSS, app process",
      mb(flowgate.peakRssMb),
      mb(bare.peakRssMb),
      ratio(flowgate.peakRssMb, bare.peakRssMb),
    ],
    ["peak RSS, redis-server", mb(redis.peakRssMb), "—", ""],
  );
  return out;
}

/** flowgate beside a bare app that makes the same GitHub requests: what flowgate adds to its traffic. */
function printBesideTraffic(flowgate: LaneResult, traffic: LaneResult, redis: RedisResult): void {
  const per = (l: LaneResult) => l.cpuMs / l.events;
  const [f, t] = [per(flowgate), per(traffic)];
  const redisCpu = redis.cpuMs / flowgate.events;
  console.log("\n### flowgate beside a bare Probot app that makes flowgate's GitHub requests");
  console.log("| measure | flowgate | bare + flowgate's requests | flowgate / that |");
  console.log("|---|---:|---:|---:|");
  const rows: string[][] = [
    [
      "GitHub requests per event",
      (flowgate.requests.length / flowgate.events).toFixed(2),
      (traffic.requests.length / traffic.events).toFixed(2),
      "",
    ],
    ["CPU per event, app process", ms(f), ms(t), ratio(f, t)],
    ["CPU per event, app + redis-server", ms(f + redisCpu), ms(t), ratio(f + redisCpu, t)],
  ];
  for (const p of [50, 99]) {
    const [fv, tv] = [percentile(flowgate.e2eMs, p), percentile(traffic.e2eMs, p)];
    rows.push([`webhook → first check run on its head, p${p}`, ms(fv), ms(tv), ratio(fv, tv)]);
  }
  rows.push([
    "peak RSS, app process",
    mb(flowgate.peakRssMb),
    mb(traffic.peakRssMb),
    ratio(flowgate.peakRssMb, traffic.peakRssMb),
  ]);
  for (const row of rows) console.log(`| ${row.join(" | ")} |`);
  console.log(
    "\nThe same workload; this app posts its plan check, dispatches the plan and comments (its first check run is" +
      " the plan check), reading the configuration folder without an ETag. What is left of flowgate's cost is its own:" +
      " Redis, the queue, the decisions. Its dispatches' workflow_run webhooks go to flowgate (the fake has one" +
      " webhook address), which counts in flowgate's idle CPU above.",
  );
}

export function printSideBySide(workload: string, lanes: LaneResult[], redis: RedisResult): void {
  const [flowgate, bare, traffic] = lanes as [LaneResult, LaneResult, LaneResult | undefined];
  const n = flowgate.events;
  console.log(`\n## Side by side: flowgate and a bare Probot app on one fake GitHub (${workload})`);
  console.log("| measure | flowgate | bare Probot | flowgate / bare |");
  console.log("|---|---:|---:|---:|");
  for (const row of rows(flowgate, bare, redis)) console.log(`| ${row.join(" | ")} |`);
  if (traffic) printBesideTraffic(flowgate, traffic, redis);
  console.log(
    "\nCPU per event: used during the app's own blocks (redis-server: during flowgate's), from /proc/<pid>/stat." +
      " The bare app acknowledges after its handler has posted the check run (Probot answers when handlers finish);" +
      " flowgate acknowledges once the event is queued.",
  );
  console.log("\n### flowgate's GitHub requests per event, by route");
  for (const [name, count] of countBy(flowgate.requests, route).slice(0, 12))
    console.log(`- ${(count / n).toFixed(2)} ${name}`);
  const commands = [...redis.commands].sort((a, b) => b[1] - a[1]);
  const total = commands.reduce((sum, [, calls]) => sum + calls, 0);
  console.log(
    `\n### Redis commands per event (INFO commandstats, after − before each flowgate block): ${(total / n).toFixed(1)}`,
  );
  console.log(
    `Inner calls of Lua scripts (evalsha) count too. While idle, flowgate runs ${redis.idleCommandsPerSecond.toFixed(0)} commands/s.`,
  );
  console.log(
    `Round trips to Redis per event (INFO stats total_reads_processed, every connection: flowgate's and BullMQ's): ${(redis.reads / n).toFixed(1)}. On a loopback socket a round trip's wake-ups cost both processes far more CPU than the commands in it.`,
  );
  console.log("| command | calls | per event |");
  console.log("|---|---:|---:|");
  for (const [name, calls] of commands.slice(0, 10))
    console.log(`| ${name} | ${calls} | ${(calls / n).toFixed(2)} |`);
}
