import type { Logger } from "pino";

export interface Stopping {
  log: Logger;
  /** the whole stop, whatever the backlog (issue: a process left behind for 50 minutes) */
  deadlineMs: number;
  /** stops flowgate first and its local Redis last */
  stop(): Promise<void>;
}

/**
 * Ctrl-C (SIGINT to the whole process group) and SIGTERM stop flowgate within the deadline; a
 * second signal exits at once. A local Redis is ended by the process's exit hook either way.
 * Returns the same stop for other causes (the parent process gone).
 */
export function stopOnSignals(stopping: Stopping): (cause: string) => void {
  let started = false;
  const onSignal = (signal: string) => {
    if (started) {
      stopping.log.warn(`${signal} again: exiting now`);
      process.exit(130);
    }
    started = true;
    stopping.log.info(
      `${signal}: stopping (at most ${stopping.deadlineMs / 1000} s; press Ctrl-C again to exit at once)`,
    );
    const deadline = setTimeout(() => {
      stopping.log.error(`flowgate did not stop within ${stopping.deadlineMs / 1000} s: exiting`);
      process.exit(1);
    }, stopping.deadlineMs);
    stopping.stop().then(
      () => {
        clearTimeout(deadline);
        stopping.log.info("stopped");
        process.exit(0);
      },
      (error: unknown) => {
        clearTimeout(deadline);
        stopping.log.error({ err: error }, "stopping failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return onSignal;
}

/**
 * `npm start` does not pass SIGTERM on to the script it runs: npm exits and this process would be
 * left running under PID 1. Noticing that the parent is gone stops flowgate the same way.
 */
export function stopWhenParentExits(stop: (cause: string) => void, everyMs = 1_000): void {
  const parent = process.ppid;
  if (parent <= 1) return; // PID 1's children (containers, init) have no parent to lose
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      stop(`the parent process (${parent}) exited`);
    }
  }, everyMs);
  timer.unref();
}

/** Resolves with `promise`, or after `ms` with nothing: a step of a bounded stop. */
export function within(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}
