import type { Runtime } from "../runtime/runtime.js";
import { tryLock } from "../state/lock.js";

/** A short lease, renewed while its holder works: a worker that dies holding it blocks the others briefly. */
const LEASE_MS = 3_000;

/**
 * Runs `write` while no other worker writes the same thing: two workers reporting one job at once would
 * both create its check (a second `flowgate/apply` check run on the commit), or the one holding an older
 * snapshot would write last. Waits a bounded time for its turn; after that BullMQ retries the step.
 *
 * `readWith` reads what `write` starts from in the same round trip as the lease (issue 11): Redis runs
 * the lease first, so the read sees every write of the previous holder. Without the lease the read is
 * thrown away.
 */
export async function alone<R = undefined>(
  rt: Runtime,
  key: string,
  write: (read: R) => Promise<void>,
  readWith?: () => Promise<R>,
): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const [leased, read] = await Promise.allSettled([
      tryLock(rt.redis, key, LEASE_MS),
      readWith ? readWith() : Promise.resolve(undefined as R),
    ]);
    if (leased.status === "rejected") throw leased.reason;
    const lock = leased.value;
    if (lock) {
      const renew = setInterval(() => void lock.extend(LEASE_MS).catch(() => undefined), LEASE_MS / 3);
      try {
        if (read.status === "rejected") throw read.reason;
        await write(read.value);
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
