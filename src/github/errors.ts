/**
 * One vocabulary for GitHub's answers: the HTTP status of an error, and whether trying again can
 * help. Used by every worker, so a token that expires mid-dispatch is retried everywhere alike.
 */
export function statusOf(error: unknown): number | undefined {
  return typeof error === "object" && error !== null && "status" in error
    ? Number((error as { status: unknown }).status)
    : undefined;
}

/**
 * A 4xx that trying again cannot fix. Not permanent: 401 (an installation token that expired; the
 * next try gets a new one), 403 and 429 (rate limits), 408 (timeout), 409 (a conflict that moves on,
 * e.g. a branch being updated) — and every 5xx.
 */
export function isPermanent(error: unknown): boolean {
  const status = statusOf(error);
  return status !== undefined && status >= 400 && status < 500 && ![401, 403, 408, 409, 429].includes(status);
}
