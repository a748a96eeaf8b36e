import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { VersionedStore } from "../../../src/state/versioned.js";
import { startRedis, type TestRedis } from "../../support/redis.js";

interface Doc {
  status: "open" | "closed";
  notes: string[];
}

let redis: TestRedis;
const clients: Redis[] = [];
/** A store on its own connection, as another process would have it. */
function processStore(): VersionedStore<Doc> {
  const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  clients.push(client);
  return new VersionedStore<Doc>(client, (id) => `doc:${id}`);
}

async function calls(command: string): Promise<number> {
  const stats = await clients[0]!.info("commandstats");
  return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
}

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await redis.stop();
});
beforeEach(async () => {
  processStore();
  await clients[0]!.flushall();
});

const note = (text: string) => (doc: Doc) => ({ ...doc, notes: [...doc.notes, text] });

describe("versioned documents, updated from the version a process last saw", () => {
  it("updates what it wrote itself without reading it again", async () => {
    const store = processStore();
    await store.create("a", { status: "open", notes: [] });
    const reads = await calls("hmget");
    await store.update("a", note("one"));
    await store.update("a", note("two"));
    expect(await calls("hmget")).toBe(reads);
    expect((await store.get("a"))?.doc.notes).toEqual(["one", "two"]);
  });

  it("loses no change when another process wrote in between", async () => {
    const [a, b] = [processStore(), processStore()];
    await a.create("doc", { status: "open", notes: [] });
    await a.update("doc", note("a1"));
    await b.update("doc", note("b1"));
    await b.update("doc", note("b2"));
    const result = await a.update("doc", note("a2"));
    expect(result).toMatchObject({ changed: true, version: 5 });
    expect((await b.get("doc"))?.doc.notes).toEqual(["a1", "b1", "b2", "a2"]);
  });

  it("decides 'nothing to do' only on the stored document, never on a remembered one", async () => {
    const [a, b] = [processStore(), processStore()];
    await a.create("doc", { status: "closed", notes: [] });
    await b.update("doc", (doc) => ({ ...doc, status: "open" }));
    // a remembers "closed": reopening-only logic must see b's write before it says "no change"
    const result = await a.update("doc", (doc) =>
      doc.status === "open" ? note("seen open")(doc) : undefined,
    );
    expect(result?.changed).toBe(true);
    expect((await a.get("doc"))?.doc.notes).toEqual(["seen open"]);
    const unchanged = await a.update("doc", (doc) => (doc.status === "closed" ? doc : undefined));
    expect(unchanged).toMatchObject({ changed: false, version: 3, doc: { status: "open" } });
  });

  it("says the document is gone once Redis lost it, whatever it remembers", async () => {
    const store = processStore();
    await store.create("doc", { status: "open", notes: [] });
    await clients[0]!.flushall();
    expect(await store.update("doc", note("x"))).toBeUndefined();
    expect(await store.create("doc", { status: "closed", notes: [] })).toBe(true);
  });

  it("with many writers at once, applies every change exactly once", async () => {
    const stores = [processStore(), processStore(), processStore()];
    await stores[0]!.create("doc", { status: "open", notes: [] });
    await Promise.all(Array.from({ length: 30 }, (_, i) => stores[i % 3]!.update("doc", note(`n${i}`), 100)));
    const notes = (await stores[1]!.get("doc"))?.doc.notes ?? [];
    expect(notes).toHaveLength(30);
    expect(new Set(notes).size).toBe(30);
  });
});
