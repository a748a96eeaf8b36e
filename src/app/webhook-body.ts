import type { IncomingMessage } from "node:http";

/** GitHub caps webhook payloads at 25 MB; a larger body is no delivery of GitHub's. */
export const WEBHOOK_BODY_LIMIT = 25 * 1024 * 1024;

export type BodyResult = { ok: true; text: string } | { ok: false; status: 413 | 400; message: string };

/**
 * Reads a webhook body before its signature can be checked, refusing an oversized one before it is
 * buffered: by its Content-Length at once, and by counting bytes for a chunked body.
 */
export async function readWebhookBody(req: IncomingMessage, limit = WEBHOOK_BODY_LIMIT): Promise<BodyResult> {
  const declared = Number(req.headers["content-length"]);
  const tooLarge = {
    ok: false,
    status: 413,
    message: `webhook bodies are limited to ${limit} bytes (GitHub's own limit)`,
  } as const;
  if (Number.isFinite(declared) && declared > limit) return tooLarge;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (result: BodyResult) => {
      if (done) return;
      done = true;
      resolve(result);
    };
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        req.pause();
        finish(tooLarge);
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => finish({ ok: true, text: Buffer.concat(chunks).toString("utf8") }));
    req.on("error", (error) => finish({ ok: false, status: 400, message: error.message }));
  });
}
