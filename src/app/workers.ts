import { type Job, Worker } from "bullmq";
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
import { processJobStep } from "../workers/jobs/process.js";
import { processPullJob } from "../workers/pull/process.js";

/** The worker role: one BullMQ worker per queue, each with its own blocking connection. */
export function startWorkers(rt: Runtime, connection: () => Redis): Worker[] {
  const concurrency = rt.settings.workerConcurrency;
  const log = rt.log;
  const wrap =
    <T>(name: string, fn: (job: Job<T>) => Promise<void>) =>
    async (job: Job<T>) => {
      try {
        await fn(job);
      } catch (error) {
        log.warn(
          { err: error, queue: name, job: job.id, attempt: job.attemptsMade + 1 },
          `job failed, it will be retried: ${(error as Error).message}`,
        );
        throw error;
      }
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
  // A worker's "error" is a lost connection (it reconnects) or a failed lock renewal; never fatal.
  for (const w of workers) w.on("error", (error) => log.debug({ err: error }, "worker error"));
  return workers;
}
