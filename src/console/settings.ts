import { createHmac } from "node:crypto";

/** What the console reads from the environment: the GitHub App's client id and secret (Probot's setup writes them). */
export interface ConsoleSettings {
  clientId?: string;
  clientSecret?: string;
  /** signs session cookies; derived from the client secret when not set */
  sessionSecret: string;
  /** the console's own origin (`FLOWGATE_PUBLIC_URL`), for the OAuth callback and the CSRF origin check */
  publicUrl?: string;
  /** how long GitHub's answer about a person's repositories is trusted */
  visibilityTtlSeconds: number;
  sessionTtlSeconds: number;
}

export function readConsoleSettings(env: Record<string, string | undefined> = process.env): ConsoleSettings {
  const clientSecret = env.GITHUB_CLIENT_SECRET || undefined;
  const sessionSecret =
    env.FLOWGATE_SESSION_SECRET ||
    createHmac("sha256", clientSecret ?? "flowgate-console-unconfigured")
      .update("flowgate session")
      .digest("hex");
  return {
    ...(env.GITHUB_CLIENT_ID ? { clientId: env.GITHUB_CLIENT_ID } : {}),
    ...(clientSecret ? { clientSecret } : {}),
    sessionSecret,
    ...(env.FLOWGATE_PUBLIC_URL ? { publicUrl: env.FLOWGATE_PUBLIC_URL.replace(/\/+$/, "") } : {}),
    visibilityTtlSeconds: 60,
    sessionTtlSeconds: 8 * 3600,
  };
}
