import type { IncomingHttpHeaders } from "node:http";
import { verify } from "@octokit/webhooks-methods";

export interface WebhookAnswer {
  status: number;
  body: string;
  contentType: string;
}

const JSON_TYPE = /^\s*application\/json\s*(?:;|$)/u;
const REQUIRED = ["x-github-event", "x-hub-signature-256", "x-github-delivery"] as const;

const error = (status: number, message: string): WebhookAnswer => ({
  status,
  body: JSON.stringify({ error: message }),
  contentType: "application/json",
});

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * A webhook delivery checked as Probot's middleware checks it (content type, GitHub's headers, the
 * signature over the raw body, JSON) and answered the same way, then handed to `accept`. Probot's
 * middleware also built an authenticated Octokit and a logger for every delivery, which flowgate
 * never uses in the web role: about a tenth of the CPU a webhook cost (issue 11).
 */
export async function receiveWebhook(
  headers: IncomingHttpHeaders,
  body: string,
  secret: string,
  accept: (delivery: { id: string; name: string; payload: unknown }) => Promise<void>,
): Promise<WebhookAnswer> {
  const contentType = header(headers, "content-type");
  if (!contentType || !JSON_TYPE.test(contentType))
    return error(415, 'Unsupported "Content-Type" header value. Must be "application/json"');
  const missing = REQUIRED.filter((name) => header(headers, name) === undefined);
  if (missing.length > 0) return error(400, `Required headers missing: ${missing.join(", ")}`);
  const signature = header(headers, "x-hub-signature-256")!;
  const signed = body.length > 0 && (await verify(secret, body, signature).catch(() => false));
  if (!signed) return error(400, "signature does not match event payload and secret");
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return error(400, "Invalid JSON");
  }
  await accept({
    id: header(headers, "x-github-delivery")!,
    name: header(headers, "x-github-event")!,
    payload,
  });
  return { status: 200, body: "ok\n", contentType: "text/plain" };
}
