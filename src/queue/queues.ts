import { type JobsOptions, Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { FlowgateEvent, RepoInfo } from "../webhooks/events.js";

export const QUEUE_NAMES = {
  events: "flowgate-events",
  pulls: "flowgate-pulls",
  jobs: "flowgate-jobs",
  maintenance: "flowgate-maintenance",
} as const;

export interface EventJob {
  deliveryId: string;
  name: string;
  event: FlowgateEvent;
  receivedAt: number;
}

export interface PullJob {
  repo: RepoInfo;
  number: number;
  reason: string;
  /** when the triggering webhook arrived, for end-to-end latency */
  receivedAt?: number;
}

export type JobStep =
  | { step: "advance"; jobId: string; reason: string }
  | { step: "start"; jobId: string; by: string }
  /** one pass of the verification after an apply (issue 13) */
  | { step: "verify"; jobId: string }
  | { step: "dispatch"; jobId: string; runIndex: number }
  | { step: "timeout"; jobId: string; deadline: string }
  | { step: "commit"; repo: RepoInfo; before: string; after: string; pusher: string; prNumber?: number };

export interface MaintenanceJob {
  kind: "reconcile";
  installationId?: number;
}

/** Completed delivery ids are kept this long: a redelivery within it is a no-op (SPEC §7). */
const DELIVERY_MEMORY_SECONDS = 7 * 24 * 3600;

const retrying: JobsOptions = {
  attempts: 12,
  backoff: { type: "exponential", delay: 1_000 },
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** BullMQ forbids ':' in custom job ids. */
import { safeId } from "../model/ids.js";

export { safeId };

export class Queues {
  readonly events: Queue<EventJob>;
  readonly pulls: Queue<PullJob>;
  readonly jobs: Queue<JobStep>;
  readonly maintenance: Queue<MaintenanceJob>;

  constructor(connection: Redis) {
    this.events = new Queue(QUEUE_NAMES.events, { connection });
    this.pulls = new Queue(QUEUE_NAMES.pulls, { connection });
    this.jobs = new Queue(QUEUE_NAMES.jobs, { connection });
    this.maintenance = new Queue(QUEUE_NAMES.maintenance, { connection });
    // Queue errors are connection errors, already reported by the connection; an unheard "error" would crash.
    for (const q of [this.events, this.pulls, this.jobs, this.maintenance]) q.on("error", () => undefined);
  }

  /** The delivery id is the job id: GitHub's redelivery of the same webhook adds nothing. */
  async addEvent(data: EventJob): Promise<"added" | "duplicate"> {
    const job = await this.events.add(data.name, data, {
      ...retrying,
      jobId: safeId("d", data.deliveryId),
      removeOnComplete: { age: DELIVERY_MEMORY_SECONDS, count: 200_000 },
    });
    // BullMQ returns the job already stored under this id, with the first delivery's data.
    return job.data.receivedAt === data.receivedAt ? "added" : "duplicate";
  }

  async addPull(data: PullJob, seq: number, delayMs = 0): Promise<void> {
    await this.pulls.add("evaluate", data, {
      ...retrying,
      jobId: safeId("pr", data.repo.repoId, data.number, seq),
      ...(delayMs > 0 ? { delay: delayMs } : {}),
    });
  }

  /** A re-evaluation at a known moment (schedule boundary, gate window end), one per moment. */
  async addPullTimer(data: PullJob, at: Date, now: Date): Promise<void> {
    await this.pulls.add("timer", data, {
      ...retrying,
      jobId: safeId("prt", data.repo.repoId, data.number, at.getTime()),
      delay: Math.max(0, at.getTime() - now.getTime()),
    });
  }

  async addStep(step: JobStep, id: string, delayMs = 0): Promise<void> {
    await this.jobs.add(step.step, step, {
      ...retrying,
      jobId: safeId(id),
      ...(delayMs > 0 ? { delay: delayMs } : {}),
    });
  }

  async close(): Promise<void> {
    await Promise.all([this.events.close(), this.pulls.close(), this.jobs.close(), this.maintenance.close()]);
  }
}
