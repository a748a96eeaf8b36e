import type { Redis } from "ioredis";
import { keys } from "../state/keys.js";
import { runScript } from "../state/script.js";

/** Reserve the next write slot for an installation; returns how long to wait for it. */
const RESERVE = `
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local nextFree = tonumber(redis.call("get", KEYS[1]) or "0")
local slot = math.max(now, nextFree)
redis.call("set", KEYS[1], tostring(slot + interval), "PX", math.floor(interval * 20 + 60000))
return slot - now`;

/**
 * Paces mutations per installation across every flowgate process (SPEC §7: mutations serialised,
 * about one a second per installation), without holding up other installations.
 */
export class WritePacer {
  constructor(
    private readonly redis: Redis,
    private readonly intervalMs: number,
    /** aborted when the process stops: a paced wait ends at once and its work is handed back */
    private readonly stopping?: AbortSignal,
  ) {}

  async wait(installationId: number): Promise<number> {
    if (this.intervalMs <= 0) return 0;
    const waitMs = Number(
      await runScript(
        this.redis,
        RESERVE,
        [keys.pace(installationId)],
        [String(Date.now()), String(this.intervalMs)],
      ),
    );
    if (waitMs > 0) await pause(waitMs, this.stopping);
    return waitMs;
  }
}

/** Thrown into work whose paced wait the stopping process cut short: the work is handed back, not failed. */
export class StoppingError extends Error {
  constructor() {
    super("flowgate is stopping: this work is handed back to another process");
    this.name = "StoppingError";
  }
}

function pause(ms: number, stopping: AbortSignal | undefined): Promise<void> {
  if (stopping?.aborted) return Promise.reject(new StoppingError());
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      reject(new StoppingError());
    };
    const timer = setTimeout(() => {
      stopping?.removeEventListener("abort", done);
      resolve();
    }, ms);
    stopping?.addEventListener("abort", done, { once: true });
  });
}
