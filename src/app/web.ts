import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Redis } from "ioredis";
import type { Metrics } from "../observability/metrics.js";
import type { Queues } from "../queue/queues.js";
import { mapWebhook } from "../webhooks/map.js";
import { readWebhookBody } from "./webhook-body.js";
import { receiveWebhook } from "./webhook-receive.js";

export const WEBHOOK_PATH = "/api/github/webhooks";

export interface WebDeps {
  /** GitHub signs every delivery with it */
  webhookSecret: string;
  queues: Queues;
  redis: Redis;
  metrics: Metrics;
  /** whether GitHub answered lately (the app's own API call), for /readyz */
  githubReachable(): Promise<boolean>;
  refreshQueueDepth(): Promise<void>;
  /** more routes (the console): answers true when it handled the request */
  extraRoutes?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
}

/**
 * The webhook handler only maps and enqueues (SPEC §6): the signature was verified, the delivery id
 * becomes the job id (a redelivery is a no-op), and no GitHub call is made here.
 */
function enqueueWebhook(deps: WebDeps) {
  return async (delivery: { id: string; name: string; payload: unknown }): Promise<void> => {
    const { id, name } = delivery;
    // biome-ignore lint/suspicious/noExplicitAny: webhook JSON, read field by field by the mapping
    const event = mapWebhook(name, delivery.payload as any);
    if (!event) {
      deps.metrics.webhooks.inc({ event: name, outcome: "ignored" });
      return;
    }
    const receivedAt = Date.now();
    const job = await deps.queues.addEvent({ deliveryId: id, name, event, receivedAt });
    deps.metrics.webhooks.inc({ event: name, outcome: job === "duplicate" ? "duplicate" : "accepted" });
  };
}

async function redisUp(redis: Redis): Promise<boolean> {
  try {
    return (
      (await Promise.race([
        redis.ping(),
        new Promise<string>((r) => setTimeout(() => r("timeout"), 1_000)),
      ])) === "PONG"
    );
  } catch {
    return false;
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

export async function createWebServer(deps: WebDeps): Promise<Server> {
  const accept = enqueueWebhook(deps);
  return createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const url = (req.url ?? "/").split("?")[0];
    try {
      if (req.method === "GET" && url === "/healthz") {
        const redis = await redisUp(deps.redis);
        return json(res, redis ? 200 : 503, { status: redis ? "ok" : "redis unreachable", redis });
      }
      if (req.method === "GET" && url === "/readyz") {
        const [redis, github] = await Promise.all([redisUp(deps.redis), deps.githubReachable()]);
        const ready = redis && github;
        return json(res, ready ? 200 : 503, { status: ready ? "ready" : "not ready", redis, github });
      }
      if (req.method === "GET" && url === "/metrics") {
        await deps.refreshQueueDepth().catch(() => undefined);
        res.writeHead(200, { "content-type": deps.metrics.registry.contentType });
        return res.end(await deps.metrics.registry.metrics());
      }
      if (url === WEBHOOK_PATH && req.method === "POST") {
        const started = process.hrtime.bigint();
        res.on("finish", () => {
          deps.metrics.webhookAck.observe(Number(process.hrtime.bigint() - started) / 1e9);
          if (res.statusCode >= 400) {
            deps.metrics.webhooks.inc({
              event: String(req.headers["x-github-event"] ?? "unknown"),
              outcome: "rejected",
            });
          }
        });
        const body = await readWebhookBody(req);
        if (!body.ok) {
          res.setHeader("connection", "close");
          return json(res, body.status, { error: body.message });
        }
        const answer = await receiveWebhook(req.headers, body.text, deps.webhookSecret, accept);
        res.writeHead(answer.status, { "content-type": answer.contentType });
        return res.end(answer.body);
      }
      if (deps.extraRoutes && (await deps.extraRoutes(req, res))) return;
      json(res, 404, { error: "not found" });
    } catch (error) {
      if (!res.headersSent) json(res, 500, { error: (error as Error).message });
    }
  });
}
