import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

/**
 * Probot's package exports only its main module; the setup manifest and the webhook proxy helper
 * are reached by file. Pinned by the lock file, and the setup and proxy tests fail if they move.
 */
export async function probotInternal<T>(file: string): Promise<T> {
  const main = new URL(import.meta.resolve("probot")).pathname;
  return (await import(pathToFileURL(join(dirname(main), file)).href)) as T;
}
