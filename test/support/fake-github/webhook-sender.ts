/**
 * Delivers a webhook like GitHub does: a JSON POST with the event, delivery and hook headers and an
 * HMAC-SHA256 signature of the exact body.
 */
import { createHmac, randomUUID } from "node:crypto";

export type SignatureMode = "valid" | "missing" | "wrong";

export interface WebhookDelivery {
  target: string;
  secret: string;
  event: string;
  payload: object;
  deliveryId?: string;
  signature?: SignatureMode;
  hookId: number;
  appId: number;
  timeoutMs?: number;
}

export interface WebhookResult {
  status: number;
  durationMs: number;
  deliveryId: string;
  /** set when the POST itself failed (connection refused, timeout); status is then 0 */
  error?: string;
}

export function sign(secret: string, body: string, algorithm: "sha256" | "sha1" = "sha256"): string {
  return `${algorithm}=${createHmac(algorithm, secret).update(body).digest("hex")}`;
}

export async function postWebhook(delivery: WebhookDelivery): Promise<WebhookResult> {
  const body = JSON.stringify(delivery.payload);
  const deliveryId = delivery.deliveryId ?? randomUUID();
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "GitHub-Hookshot/fake",
    "x-github-event": delivery.event,
    "x-github-delivery": deliveryId,
    "x-github-hook-id": String(delivery.hookId),
    "x-github-hook-installation-target-type": "integration",
    "x-github-hook-installation-target-id": String(delivery.appId),
  };
  const mode = delivery.signature ?? "valid";
  if (mode !== "missing") {
    const secret = mode === "valid" ? delivery.secret : `${delivery.secret}-wrong`;
    headers["x-hub-signature-256"] = sign(secret, body);
    headers["x-hub-signature"] = sign(secret, body, "sha1");
  }
  const started = performance.now();
  try {
    const response = await fetch(delivery.target, {
      method: "POST",
      headers,
      body,
      // GitHub gives up on a delivery after 10 seconds
      signal: AbortSignal.timeout(delivery.timeoutMs ?? 10_000),
    });
    await response.arrayBuffer();
    return { status: response.status, durationMs: performance.now() - started, deliveryId };
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    return { status: 0, durationMs: performance.now() - started, deliveryId, error: message };
  }
}
