/**
 * The side-by-side's child processes: flowgate's real entry point and the bare Probot app, each in a
 * process of its own, plus what /proc says about any process (CPU time and peak RSS).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../src/paths.js";

const CLOCK_TICKS_PER_SECOND = 100;

export interface ProcessUsage {
  /** user + system CPU time of all the process's threads */
  cpuMs: number;
  /** VmHWM: the largest resident set the process has had */
  peakRssMb: number;
}

export function processUsage(pid: number): ProcessUsage {
  // comm (field 2) may hold spaces; the fields after its closing parenthesis start at field 3
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const hwmKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { cpuMs: (ticks * 1000) / CLOCK_TICKS_PER_SECOND, peakRssMb: hwmKb / 1024 };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** The machine's environment without anything flowgate or Probot would read on its own. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(APP_ID|PRIVATE_KEY|WEBHOOK_|REDIS_URL|PORT|HOST|FLOWGATE_|GHE_|GITHUB_|LOG_|NODE_ENV)/.test(k))
      continue;
    env[k] = v;
  }
  return { ...env, NO_SMEE_SETUP: "true" };
}

export interface AppProcess {
  name: string;
  pid: number;
  webhookUrl: string;
  /** where its stdout and stderr go */
  logFile: string;
  stop(): Promise<void>;
}

export interface AppStart {
  name: string;
  script: string;
  env: Record<string, string>;
  /** extra node options, e.g. --cpu-prof */
  nodeArgs?: string[];
}

/** Starts `node <script>` in a folder of its own, logging to a file, and waits for /healthz. */
export async function startApp(start: AppStart): Promise<AppProcess> {
  const dir = mkdtempSync(join(tmpdir(), `flowgate-bench-${start.name}-`));
  const logFile = join(dir, "output.log");
  const port = await freePort();
  const out = openSync(logFile, "a");
  const child: ChildProcess = spawn(
    process.execPath,
    [...(start.nodeArgs ?? []), join(packageRoot(), start.script)],
    {
      cwd: dir,
      env: { ...cleanEnv(), ...start.env, PORT: String(port), HOST: "127.0.0.1" },
      stdio: ["ignore", out, out],
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const kill = () => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL");
  process.once("exit", kill);
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${start.name} exited at start; see ${logFile}`);
    const healthy = await fetch(`${base}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (healthy) break;
    if (Date.now() > deadline) throw new Error(`${start.name} did not start in 20 s; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    name: start.name,
    pid: child.pid!,
    webhookUrl: `${base}/api/github/webhooks`,
    logFile,
    async stop() {
      // SIGTERM lets node write a --cpu-prof profile; SIGKILL if it takes too long
      child.kill("SIGTERM");
      const timer = setTimeout(kill, 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
