import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import { run } from "probot";
import { parse } from "yaml";
import { packageRoot } from "../paths.js";
import { probotInternal } from "./probot-internals.js";
import { WEBHOOK_PATH } from "./web.js";

interface ManifestCreationClass {
  prototype: { getManifest(options: { baseUrl: string }): string };
}

/**
 * Where GitHub should deliver webhooks: a proxy channel (WEBHOOK_PROXY_URL, e.g. smee.io) for a
 * machine GitHub cannot reach, else flowgate's public address, else the address the setup page was
 * opened on. Never a placeholder.
 */
export function webhookUrl(env: NodeJS.ProcessEnv, setupBaseUrl: string): string {
  if (env.WEBHOOK_PROXY_URL) return env.WEBHOOK_PROXY_URL;
  const base = (env.FLOWGATE_PUBLIC_URL ?? setupBaseUrl).replace(/\/+$/, "");
  return `${base}${WEBHOOK_PATH}`;
}

/**
 * Probot builds the app manifest from an app.yml in the working folder; flowgate's is in its package,
 * and cannot know this instance's address: the homepage and webhook URL are filled in here from the
 * environment and the setup page's own address.
 */
async function fillManifestAddresses(env: NodeJS.ProcessEnv): Promise<void> {
  const { ManifestCreation } = await probotInternal<{ ManifestCreation: ManifestCreationClass }>(
    "manifest-creation.js",
  );
  const original = ManifestCreation.prototype.getManifest;
  ManifestCreation.prototype.getManifest = function (this: unknown, options) {
    // flowgate's own app.yml (its permissions and events), wherever `npm start` is run from.
    const ours = parse(readFileSync(join(packageRoot(), "app.yml"), "utf8")) as Record<string, unknown>;
    const manifest = { ...JSON.parse(original.call(this, options)), ...ours } as Record<string, unknown>;
    const home = (env.FLOWGATE_PUBLIC_URL ?? options.baseUrl).replace(/\/+$/, "");
    manifest.url = home;
    manifest.callback_urls = [`${home}/console/callback`];
    manifest.hook_attributes = { url: webhookUrl(env, options.baseUrl), active: true };
    return JSON.stringify(manifest);
  };
}

/** No app id or key yet: Probot's setup page registers the GitHub App and writes `.env`. */
export async function runSetup(env: NodeJS.ProcessEnv, log: Logger): Promise<void> {
  log.info("APP_ID or the private key is not set: starting Probot's setup page to register the GitHub App");
  if (!env.WEBHOOK_PROXY_URL && !env.FLOWGATE_PUBLIC_URL) {
    log.info(
      "Neither WEBHOOK_PROXY_URL nor FLOWGATE_PUBLIC_URL is set. Probot tries to open a smee.io channel for you " +
        "(written to .env as WEBHOOK_PROXY_URL); if it cannot, GitHub is told to send webhooks to the address you " +
        "open this page on, which it reaches only if that address is public. See the README: Webhooks on a laptop.",
    );
  }
  await fillManifestAddresses(env);
  await run(() => undefined);
}
