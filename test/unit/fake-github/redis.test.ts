import { existsSync } from "node:fs";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { startRedis, type TestRedis } from "../../support/redis.js";

const started: TestRedis[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((r) => r.stop()));
});

async function start(options?: Parameters<typeof startRedis>[0]): Promise<TestRedis> {
  const redis = await startRedis(options);
  started.push(redis);
  return redis;
}

async function withClient<T>(url: string, use: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null });
  client.on("error", () => {});
  try {
    await client.connect();
    return await use(client);
  } finally {
    client.disconnect();
  }
}

describe("throwaway redis-server", () => {
  it("starts on its own port, never 6379, and answers commands", async () => {
    const redis = await start();
    expect(redis.port).not.toBe(6379);
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await withClient(redis.url, (c) => c.set("fg:k", "v"))).toBe("OK");
    expect(await withClient(redis.url, (c) => c.get("fg:k"))).toBe("v");
  });

  it("keeps data across a SIGKILL and restart with AOF", async () => {
    const redis = await start({ appendonly: true });
    await withClient(redis.url, async (c) => {
      await c.set("fg:job:1", "running");
      await c.rpush("fg:queue", "a", "b");
    });
    await redis.kill();
    await expect(withClient(redis.url, (c) => c.ping())).rejects.toThrow();
    await redis.restart();
    expect(await withClient(redis.url, (c) => c.get("fg:job:1"))).toBe("running");
    expect(await withClient(redis.url, (c) => c.lrange("fg:queue", 0, -1))).toEqual(["a", "b"]);
  });

  it("loses data across a restart without AOF", async () => {
    const redis = await start({ appendonly: false });
    await withClient(redis.url, (c) => c.set("fg:k", "v"));
    await redis.kill();
    await redis.restart();
    expect(await withClient(redis.url, (c) => c.get("fg:k"))).toBeNull();
  });

  it("removes its own folder on stop", async () => {
    const redis = await startRedis({ appendonly: true });
    expect(existsSync(redis.dir)).toBe(true);
    await redis.stop();
    expect(existsSync(redis.dir)).toBe(false);
  });

  it("runs several at once on different ports", async () => {
    const [a, b] = await Promise.all([start(), start()]);
    expect(a?.port).not.toBe(b?.port);
  });
});
