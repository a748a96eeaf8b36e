import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import type { Logger } from "pino";

export interface LocalRedis {
  url: string;
  /** asks redis-server to shut down (it writes its append-only file) and waits, at most `graceMs` */
  stop(graceMs?: number): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * With no REDIS_URL, flowgate runs a redis-server of its own, bound to loopback, persisting with an
 * append-only file under the data folder (SPEC §7: Redis runs with persistence).
 */
export async function startLocalRedis(dataDir: string, log: Logger): Promise<LocalRedis> {
  const check = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  if (check.error || check.status !== 0) {
    throw new Error(
      "REDIS_URL is not set and no redis-server is installed: install Redis (e.g. `apt-get install redis-server` or `brew install redis`) or set REDIS_URL",
    );
  }
  const dir = join(dataDir, "redis");
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const child: ChildProcess = spawn(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--appendonly",
      "yes",
      "--save",
      "",
      "--protected-mode",
      "yes",
    ],
    // A process group of its own: the terminal's Ctrl-C reaches flowgate, which stops this Redis last.
    { stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  // Whatever way this process ends, its Redis ends with it (SIGTERM: Redis saves and exits by itself).
  const killOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  };
  process.once("exit", killOnExit);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error("the local redis-server did not start within 10 s")),
      10_000,
    );
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the local redis-server exited with code ${code}`));
    });
  });
  const url = `redis://127.0.0.1:${port}`;
  // The CLI (flowgate apply, usage, audit) finds this Redis through this file when REDIS_URL is unset.
  writeFileSync(join(dataDir, "redis.url"), `${url}\n`);
  log.info(
    { url, dir },
    `REDIS_URL is not set: started a local redis-server on ${url}, persisting to ${dir}`,
  );
  return {
    url,
    stop: (graceMs = 3_000) =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const force = setTimeout(() => child.kill("SIGKILL"), graceMs);
        child.once("exit", () => {
          clearTimeout(force);
          process.off("exit", killOnExit);
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}
