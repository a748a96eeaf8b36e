import type { Logger } from "pino";
import { probotInternal } from "./probot-internals.js";
import { WEBHOOK_PATH } from "./web.js";

type CreateWebhookProxy = (opts: {
  url: string;
  host: string;
  port: number;
  path: string;
  logger: Logger;
}) => Promise<{ close?: () => void } | EventSource | undefined>;

/**
 * WEBHOOK_PROXY_URL (a smee.io channel, as Probot's setup creates one): forward its webhooks to this
 * process, for a machine GitHub cannot reach. Probot's own helper, with the same smee-client.
 */
export async function startWebhookProxy(url: string, port: number, log: Logger): Promise<() => void> {
  const { createWebhookProxy } = await probotInternal<{ createWebhookProxy: CreateWebhookProxy }>(
    "helpers/webhook-proxy.js",
  );
  const proxy = await createWebhookProxy({ url, host: "127.0.0.1", port, path: WEBHOOK_PATH, logger: log });
  if (proxy) log.info(`forwarding webhooks from ${url} to this process`);
  return () => (proxy as { close?: () => void } | undefined)?.close?.();
}
