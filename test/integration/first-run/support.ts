/**
 * The real entry point (`dist/src/app/main.js`) as a newcomer runs it: a child process in a folder
 * of its own holding only a `.env`, as Probot's setup page writes it.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../../../src/paths.js";

export const ENTRY = join(packageRoot(), "dist", "src", "app", "main.js");

/** `.env` as Probot's `updateEnv` writes it: KEY=value lines, the key in quotes with escaped newlines. */
export function probotEnvFile(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}=${k === "PRIVATE_KEY" ? `"${v.replace(/\n/g, "\\n")}"` : v}`)
    .join("\n");
}

export function folderWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "flowgate-first-run-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** The machine's environment without anything flowgate or Probot would read. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(APP_ID|PRIVATE_KEY|WEBHOOK_|REDIS_URL|PORT|HOST|FLOWGATE_|GHE_|GITHUB_|LOG_|NODE_ENV)/.test(k))
      continue;
    env[k] = v;
  }
  return { ...env, NO_SMEE_SETUP: "true", ...extra };
}

export interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts a command in a process group of its own (as a terminal does), collecting its output. */
export function startProcess(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Started {
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  child.stdout?.on("data", (c: Buffer) => {
    text += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    text += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => text, exited };
}

/** Processes whose command line mentions `marker` (a temp folder: the app's cwd or Redis's --dir). */
export function processesMentioning(marker: string): string[] {
  const out = execFileSync("ps", ["-eo", "pid,args"], { encoding: "utf8" });
  return out
    .split("\n")
    .filter((line) => line.includes(marker) && !line.includes("ps -eo"))
    .map((l) => l.trim());
}

export async function until<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 20_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}
