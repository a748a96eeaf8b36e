import type { Runtime } from "../runtime/runtime.js";
import { tryLock } from "../state/lock.js";

/** A short lease, renewed while its holder works: a worker that dies holding it blocks the others briefly. */
const LEASE_MS = 3_000;

/**
 * Runs `write` while no other worker writes the same thing: two workers reporting one job at once would
 * both create its check (a second `flowgate/apply` check run on the commit), or the one holding an older
 * snapshot would write last. Waits a bounded time for its turn; after that BullMQ retries the step.
 */
export async function alone(rt: Runtime, key: string, write: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const lock = await tryLock(rt.redis, key, LEASE_MS);
    if (lock) {
      const renew = setInterval(() => void lock.extend(LEASE_MS).catch(() => undefined), LEASE_MS / 3);
      try {
        await write();
      } finally {
        clearInterval(renew);
        await lock.release();
      }
      return;
    }
    if (Date.now() > deadline) throw new Error(`${key} stayed busy: reporting later`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
