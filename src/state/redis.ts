import { Redis, type RedisOptions } from "ioredis";

/**
 * Connections to the one Redis flowgate keeps its queues and state in. BullMQ workers need
 * `maxRetriesPerRequest: null` (blocking commands must wait through a Redis restart, not fail).
 */
/** Where connection errors go; ioredis reconnects by itself, so they are reported, not thrown. */
let reportError: (error: Error) => void = () => undefined;
export function onRedisError(report: (error: Error) => void): void {
  reportError = report;
}

export function connect(
  url: string,
  opts: { forWorker?: boolean; name?: string; autoPipelining?: boolean } = {},
): Redis {
  const options: RedisOptions = {
    // Commands issued in the same tick go out in one write: most of a worker's Redis cost was one
    // socket write per command (a CPU profile of the side-by-side bench).
    ...(opts.autoPipelining ? { enableAutoPipelining: true } : {}),
    maxRetriesPerRequest: opts.forWorker ? null : 20,
    enableReadyCheck: true,
    lazyConnect: false,
    // Reconnect quickly after a Redis restart; the app's work is idempotent, so retrying is safe.
    retryStrategy: (times) => Math.min(50 * times, 2_000),
    ...(opts.name ? { connectionName: opts.name } : {}),
  };
  const redis = new Redis(url, options);
  redis.on("error", (error: Error) => reportError(error));
  return redis;
}

/** All keys flowgate writes start with this prefix (BullMQ queues use `bull:` under their own prefix). */
export const PREFIX = "fg:";

/**
 * One connection attempt for a command-line tool: a Redis that is gone is an error within about a
 * second, not a reconnect loop (the app's own connections keep retrying).
 */
export async function connectOnce(url: string, name: string, timeoutMs = 1_000): Promise<Redis> {
  const redis = new Redis(url, {
    connectionName: name,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    lazyConnect: true,
  });
  let cause: Error | undefined;
  redis.on("error", (error: Error) => {
    cause = error; // reported through the rejected connect below
  });
  try {
    await redis.connect();
    return redis;
  } catch (error) {
    redis.disconnect();
    const reason = (cause ?? (error as Error)).message;
    throw new Error(
      `cannot reach flowgate's Redis at ${url} (${reason}); is it running, and is REDIS_URL right?`,
    );
  }
}
