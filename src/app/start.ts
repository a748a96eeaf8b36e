import { readFileSync } from "node:fs";
import pino from "pino";
import { readSettings } from "../runtime/settings.js";
import { createFlowgate, type Flowgate } from "./create.js";
import { type LocalRedis, startLocalRedis } from "./local-redis.js";
import { runSetup } from "./setup.js";
import { stopOnSignals, stopWhenParentExits, within } from "./signals.js";
import { startWebhookProxy } from "./webhook-proxy.js";

const STOP_DEADLINE_MS = 10_000;

function privateKey(env: NodeJS.ProcessEnv): string | undefined {
  if (env.PRIVATE_KEY) {
    const key = env.PRIVATE_KEY.includes("BEGIN")
      ? env.PRIVATE_KEY
      : Buffer.from(env.PRIVATE_KEY, "base64").toString("utf8");
    return key.replace(/\\n/g, "\n");
  }
  if (env.PRIVATE_KEY_PATH) return readFileSync(env.PRIVATE_KEY_PATH, "utf8");
  return undefined;
}

/**
 * With no APP_ID (or key), Probot's setup page registers the app and writes `.env`; otherwise
 * flowgate runs its web and worker roles (FLOWGATE_ROLE), with a local redis-server when REDIS_URL
 * is unset.
 */
export async function start(envFile: string | undefined): Promise<void> {
  const env = process.env;
  const log = pino({ level: env.LOG_LEVEL ?? "info" });
  if (envFile) log.info(`settings from ${envFile} (variables set in the environment win)`);
  const key = privateKey(env);
  if (!env.APP_ID || !key) return runSetup(env, log);
  if (!env.WEBHOOK_SECRET) {
    throw new Error(
      "WEBHOOK_SECRET is not set. Set it to your GitHub App's webhook secret (the setup page writes it to .env; " +
        "GitHub: Settings → Developer settings → GitHub Apps → your app → Webhook secret). flowgate never runs with a default secret.",
    );
  }
  const settings = readSettings(env);
  // Signals are handled from here on, so a Ctrl-C while starting still stops the local Redis.
  let app: Flowgate | undefined;
  let local: LocalRedis | undefined;
  let closeProxy = () => {};
  const stop = stopOnSignals({
    log,
    deadlineMs: STOP_DEADLINE_MS,
    stop: async () => {
      closeProxy();
      // flowgate first, within the deadline less the time Redis needs to write its file and exit.
      if (app) await within(app.stop(), STOP_DEADLINE_MS - 4_000);
      await local?.stop(3_000);
    },
  });
  stopWhenParentExits(stop);
  local = settings.redisUrl ? undefined : await startLocalRedis(settings.dataDir, log);
  const redisUrl = settings.redisUrl ?? local!.url;
  // GHE_HOST as Probot reads it; FLOWGATE_GITHUB_API_URL points at any API base (a proxy, a test fake).
  const baseUrl =
    env.FLOWGATE_GITHUB_API_URL ??
    (env.GHE_HOST ? `${env.GHE_PROTOCOL ?? "https"}://${env.GHE_HOST}/api/v3` : undefined);
  app = await createFlowgate({
    settings,
    redisUrl,
    appId: env.APP_ID,
    privateKey: key,
    webhookSecret: env.WEBHOOK_SECRET,
    ...(baseUrl ? { baseUrl } : {}),
    log,
  });
  const port = await app.listen();
  if (env.WEBHOOK_PROXY_URL && settings.role !== "worker") {
    closeProxy = await startWebhookProxy(env.WEBHOOK_PROXY_URL, port, log);
  }
  log.info({ role: settings.role, port }, `flowgate is running (${settings.role})`);
}
