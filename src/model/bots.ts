/** One rule for bots everywhere: GitHub says `type: "Bot"`, or the login carries the `[bot]` suffix. */
export function isBotLogin(login: string): boolean {
  return login.toLowerCase().endsWith("[bot]");
}

export function isBotAccount(user: { type?: string; login?: string } | null | undefined): boolean {
  return user?.type === "Bot" || isBotLogin(String(user?.login ?? ""));
}

/** The login an app's own comments, reviews and runs carry. */
export function appBotLogin(slug: string): string {
  return `${slug}[bot]`;
}
