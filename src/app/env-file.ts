import { existsSync } from "node:fs";
import { join } from "node:path";

/**
 * Loads `.env` from the working folder, where Probot's setup page writes it, before anything reads
 * the environment. Node's own loader never overrides a variable that is already set, so the real
 * environment wins over the file. Returns the file's path when one was loaded.
 */
export function loadEnvFile(dir: string = process.cwd()): string | undefined {
  const path = join(dir, ".env");
  if (!existsSync(path)) return undefined;
  process.loadEnvFile(path);
  return path;
}
