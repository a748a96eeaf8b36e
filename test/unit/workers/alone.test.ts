import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../../src/runtime/runtime.js";
import { tryLock } from "../../../src/state/lock.js";
import { alone } from "../../../src/workers/alone.js";
import { startRedis, type TestRedis } from "../../support/redis.js";

let redis: TestRedis;
let client: Redis;
const rt = () => ({ redis: client }) as unknown as Runtime;

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url, { maxRetriesPerRequest: 1, enableAutoPipelining: true });
});
afterAll(async () => {
  client.disconnect();
  await redis.stop();
});

describe("alone: one writer at a time, starting from what it read with the lease", () => {
  it("reads in the lease's round trip and sees what the previous holder wrote", async () => {
    const seen: string[] = [];
    const writer = (text: string) =>
      alone(
        rt(),
        "lease:a",
        async (before: string | null) => {
          seen.push(`${text} saw ${before ?? "nothing"}`);
          await new Promise((resolve) => setTimeout(resolve, 30));
          await client.set("value:a", text);
        },
        () => client.get("value:a"),
      );
    await Promise.all([writer("first"), writer("second")]);
    expect(seen).toHaveLength(2);
    // Whichever went second read the first one's write: its earlier read, taken without the lease, was thrown away.
    expect(seen[1]).toMatch(new RegExp(`saw ${seen[0]?.split(" ")[0]}$`));
    expect(await client.exists("lease:a")).toBe(0);
  });

  it("lets the lease go when the read fails, and does not write", async () => {
    let wrote = false;
    const failing = alone(
      rt(),
      "lease:b",
      async () => {
        wrote = true;
      },
      async () => {
        throw new Error("read failed");
      },
    );
    await expect(failing).rejects.toThrow("read failed");
    expect(wrote).toBe(false);
    expect(await tryLock(client, "lease:b", 1000)).toBeTruthy();
  });
});
