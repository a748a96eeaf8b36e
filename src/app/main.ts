import { readFileSync } from "node:fs";
import pino from "pino";
import { run } from "probot";
import { createFlowgate } from "./create.js";
import { startLocalRedis } from "./local-redis.js";
import { readSettings } from "./settings.js";

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
 * `npm start`: with no APP_ID (or key), Probot's setup page registers the app and writes `.env`;
 * otherwise flowgate runs its web and worker roles (FLOWGATE_ROLE), with a local redis-server
 * when REDIS_URL is unset.
 */
async function main(): Promise<void> {
  const env = process.env;
  const log = pino({ level: env.LOG_LEVEL ?? "info" });
  const key = privateKey(env);
  if (!env.APP_ID || !key) {
    log.info("APP_ID or the private key is not set: starting Probot's setup page to register the GitHub App");
    await run(() => undefined);
    return;
  }
  const settings = readSettings(env);
  const local = settings.redisUrl ? undefined : await startLocalRedis(settings.dataDir, log);
  const redisUrl = settings.redisUrl ?? local!.url;
  // GHE_HOST as Probot reads it; FLOWGATE_GITHUB_API_URL points at any API base (a proxy, a test fake).
  const baseUrl =
    env.FLOWGATE_GITHUB_API_URL ??
    (env.GHE_HOST ? `${env.GHE_PROTOCOL ?? "https"}://${env.GHE_HOST}/api/v3` : undefined);
  const app = await createFlowgate({
    settings,
    redisUrl,
    appId: env.APP_ID,
    privateKey: key,
    webhookSecret: env.WEBHOOK_SECRET ?? "development",
    ...(baseUrl ? { baseUrl } : {}),
    log,
  });
  const port = await app.listen();
  log.info({ role: settings.role, port }, `flowgate is running (${settings.role})`);
  const shutdown = async (signal: string) => {
    log.info(`${signal}: stopping`);
    await app.stop();
    await local?.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((error) => {
  console.error(`flowgate could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
