import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { readWebhookBody } from "../../../src/app/webhook-body.js";

/** A request whose body arrives in chunks with no Content-Length (chunked transfer). */
function chunkedRequest(chunks: number, size: number): { req: IncomingMessage; pulled: () => number } {
  let pulled = 0;
  const stream = new Readable({
    read() {
      if (pulled === chunks) return this.push(null);
      pulled++;
      this.push(Buffer.alloc(size, 0x61));
    },
  });
  return { req: Object.assign(stream, { headers: {} }) as unknown as IncomingMessage, pulled: () => pulled };
}

describe("readWebhookBody: a chunked body is counted while it streams", () => {
  it("refuses with 413 as soon as the count passes the limit, without reading the rest", async () => {
    const { req, pulled } = chunkedRequest(1000, 1024);
    const result = await readWebhookBody(req, 10 * 1024);
    expect(result).toEqual({
      ok: false,
      status: 413,
      message: "webhook bodies are limited to 10240 bytes (GitHub's own limit)",
    });
    expect(pulled()).toBeLessThan(100); // of 1,000: only what the stream read ahead
  });

  it("a body within the limit is read whole", async () => {
    const { req } = chunkedRequest(3, 1024);
    const result = await readWebhookBody(req, 10 * 1024);
    expect(result).toEqual({ ok: true, text: "a".repeat(3 * 1024) });
  });

  it("a declared Content-Length over the limit is refused before any byte is read", async () => {
    const { req, pulled } = chunkedRequest(1, 10);
    req.headers["content-length"] = String(26 * 1024 * 1024);
    expect(await readWebhookBody(req)).toMatchObject({ ok: false, status: 413 });
    expect(pulled()).toBe(0);
  });
});
