import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

const shas = new Map<string, string>();

function shaOf(script: string): string {
  let sha = shas.get(script);
  if (!sha) {
    sha = createHash("sha1").update(script).digest("hex");
    shas.set(script, sha);
  }
  return sha;
}

/**
 * Runs a Lua script by its SHA (EVALSHA), sending the body only when Redis does not know it yet (a
 * first call, or after a Redis restart). EVAL sent the whole body with every call: a profile showed
 * the script text among the largest writes per event (issue 11).
 */
export async function runScript(
  redis: Redis,
  script: string,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await redis.evalsha(shaOf(script), keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
    return redis.eval(script, keys.length, ...keys, ...args);
  }
}
