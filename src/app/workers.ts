import { type Job, WaitingError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import {
  type EventJob,
  type JobStep,
  type MaintenanceJob,
  type PullJob,
  QUEUE_NAMES,
} from "../queue/queues.js";
import type { Runtime } from "../runtime/runtime.js";
import { routeEvent } from "../workers/events/route.js";
import { startDeadlineSweeps } from "../workers/jobs/deadlines.js";
import { processJobStep } from "../workers/jobs/process.js";
import { processPullJob } from "../workers/pull/process.js";

/** The worker role's BullMQ workers, and how they give back what they hold when the process stops. */
export interface WorkerPool {
  workers: Worker[];
  /**
   * Stops taking work, lets what runs finish for `graceMs`, then moves what still runs back to
   * waiting so another process takes it at once (not after BullMQ's stall detection).
   */
  stop(graceMs: number): Promise<void>;
}

function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    promise.then(done, done);
  });
}

/** The worker role: one BullMQ worker per queue, each with its own blocking connection. */
export function startWorkers(rt: Runtime, connection: () => Redis, stopping: AbortController): WorkerPool {
  const concurrency = rt.settings.workerConcurrency;
  const log = rt.log;
  const handBack = new AbortController();
  const handedBack = new Promise<"hand back">((resolve) =>
    handBack.signal.addEventListener("abort", () => resolve("hand back"), { once: true }),
  );
  const wrap =
    <T>(name: string, fn: (job: Job<T>) => Promise<void>) =>
    async (job: Job<T>, token?: string) => {
      const work = fn(job);
      let outcome: "done" | "hand back";
      try {
        outcome = await Promise.race([work.then(() => "done" as const), handedBack]);
      } catch (error) {
        if (!stopping.signal.aborted) {
          log.warn(
            { err: error, queue: name, job: job.id, attempt: job.attemptsMade + 1 },
            `job failed, it will be retried: ${(error as Error).message}`,
          );
          throw error;
        }
        outcome = "hand back"; // cut short by the stop (a paced wait): not a failure
      }
      if (outcome === "done") return;
      // Still running at the stop's deadline: whatever it finishes is idempotent, so another process
      // may run it from the start while this one winds down.
      work.catch(() => undefined);
      await job.moveToWait(token);
      throw new WaitingError();
    };
  const options = { connection: connection(), concurrency, maxStalledCount: 10 };
  const workers = [
    new Worker<EventJob>(
      QUEUE_NAMES.events,
      wrap("events", (job) =>
        // Every log line of an event's handling carries its delivery id.
        routeEvent(
          { ...rt, log: rt.log.child({ deliveryId: job.data.deliveryId, event: job.data.name }) },
          job.data,
        ),
      ),
      { ...options, connection: connection() },
    ),
    new Worker<PullJob>(
      QUEUE_NAMES.pulls,
      wrap("pulls", (job) => processPullJob(rt, job.data, job.name === "timer")),
      {
        ...options,
        connection: connection(),
      },
    ),
    new Worker<JobStep>(
      QUEUE_NAMES.jobs,
      wrap("jobs", (job) => processJobStep(rt, job.data)),
      { ...options, connection: connection() },
    ),
    new Worker<MaintenanceJob>(
      QUEUE_NAMES.maintenance,
      wrap("maintenance", (job) => rt.wiring.maintenance(rt, job.data)),
      { ...options, connection: connection(), concurrency: 1 },
    ),
  ];
  const stopSweeps = startDeadlineSweeps(rt, rt.settings.deadlineSweepMs);
  // A worker's "error" is a lost connection (it reconnects) or a failed lock renewal; never fatal.
  for (const w of workers) w.on("error", (error) => log.debug({ err: error }, "worker error"));
  return {
    workers,
    stop: async (graceMs) => {
      stopSweeps();
      const closing = Promise.all(workers.map((w) => w.close()));
      stopping.abort();
      await settleWithin(closing, graceMs);
      handBack.abort();
      await settleWithin(closing, 1_500);
    },
  };
}
