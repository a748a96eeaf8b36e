/**
 * A throwaway redis-server for tests: its own free port on 127.0.0.1 and its own folder, never the
 * shared Redis on 6379. `kill()` + `restart()` exercise crash recovery with AOF persistence.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestRedis {
  url: string;
  port: number;
  dir: string;
  /** SHUTDOWN NOSAVE, then remove the folder (unless the caller supplied it) */
  stop(): Promise<void>;
  /** SIGKILL: a crash, the folder stays for `restart` */
  kill(): Promise<void>;
  /** start again on the same port and folder, so AOF data comes back */
  restart(): Promise<void>;
}

export interface StartRedisOptions {
  appendonly?: boolean;
  dir?: string;
  /** path of the binary; default `$REDIS_SERVER_BIN`, else `redis-server` on the PATH */
  binary?: string;
}

const SHARED_PORT = 6379;
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function defaultBinary(): string {
  return process.env.REDIS_SERVER_BIN ?? "redis-server";
}

/** A port the OS says is free right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Sends one inline command and resolves with the first reply line. */
function command(port: number, line: string, timeoutMs = 500): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let reply = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`redis on ${port}: no reply to ${line}`));
    }, timeoutMs);
    socket.on("connect", () => socket.write(`${line}\r\n`));
    socket.on("data", (chunk) => {
      reply += chunk.toString("utf8");
      if (reply.includes("\r\n")) {
        clearTimeout(timer);
        socket.end();
        resolve(reply.split("\r\n")[0] ?? "");
      }
    });
    socket.on("error", (cause) => {
      clearTimeout(timer);
      reject(cause);
    });
    // SHUTDOWN closes the connection without a reply
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(reply.split("\r\n")[0] ?? "");
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

interface Spawned {
  child: ChildProcess;
  output: () => string;
}

function spawnRedis(binary: string, port: number, dir: string, appendonly: boolean): Spawned {
  const child = spawn(
    binary,
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      appendonly ? "yes" : "no",
      // everysec may hold a write back for up to 2 s while an fsync is in progress, so a
      // SIGKILL could lose an acknowledged command; crash tests need every reply on disk
      "--appendfsync",
      "always",
      "--dir",
      dir,
      "--daemonize",
      "no",
      "--protected-mode",
      "yes",
      "--loglevel",
      "warning",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  live.add(child);
  child.once("exit", () => live.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // a test that forgets stop() must not leave redis-server processes behind
    process.once("exit", () => {
      for (const proc of live) proc.kill("SIGKILL");
    });
  }
  return { child, output: () => output };
}

async function waitForPing(spawned: Spawned, port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (spawned.child.exitCode !== null || spawned.child.signalCode !== null) {
      throw new Error(`redis-server on port ${port} exited: ${spawned.output().trim().slice(-500)}`);
    }
    try {
      if ((await command(port, "PING")) === "+PONG") return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  spawned.child.kill("SIGKILL");
  throw new Error(`redis-server on port ${port} did not answer PING within ${timeoutMs} ms`);
}

export async function startRedis(options: StartRedisOptions = {}): Promise<TestRedis> {
  const binary = options.binary ?? defaultBinary();
  const appendonly = options.appendonly ?? false;
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "flowgate-redis-")));
  let port = 0;
  let spawned: Spawned | undefined;
  // another process may grab the free port between the check and the spawn: try a few
  for (let attempt = 0; attempt < 5 && !spawned; attempt++) {
    port = await freePort();
    if (port === SHARED_PORT) continue;
    const candidate = spawnRedis(binary, port, dir, appendonly);
    try {
      await waitForPing(candidate, port);
      spawned = candidate;
    } catch (cause) {
      if (attempt === 4) {
        if (ownDir) await rm(dir, { recursive: true, force: true });
        throw cause;
      }
    }
  }
  if (!spawned) throw new Error("redis-server: could not find a free port");
  let current: Spawned = spawned;

  const handle: TestRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    async stop() {
      if (current.child.exitCode === null && current.child.signalCode === null) {
        await command(port, "SHUTDOWN NOSAVE", 2000).catch(() => current.child.kill("SIGKILL"));
        await exited(current.child);
      }
      if (ownDir) await rm(dir, { recursive: true, force: true });
    },
    async kill() {
      current.child.kill("SIGKILL");
      await exited(current.child);
    },
    async restart() {
      if (current.child.exitCode === null && current.child.signalCode === null) await handle.kill();
      current = spawnRedis(binary, port, dir, appendonly);
      await waitForPing(current, port);
    },
  };
  return handle;
}
