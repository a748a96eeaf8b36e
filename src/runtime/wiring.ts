import type { CommandRequest } from "../engine/commands.js";
import type { JobEffect, StackJob } from "../engine/stack-job/types.js";
import type { ResultJson } from "../plan/result.js";
import type { EventJob, JobStep, MaintenanceJob } from "../queue/queues.js";
import type { FlowgateEvent } from "../webhooks/events.js";
import type { Runtime } from "./runtime.js";

/** What a command on a merged PR answers (`/apply`, `/retry`, `/cancel`). */
export interface CommandReply {
  ok: boolean;
  message: string;
}

type EventType = FlowgateEvent["type"];
type EventOf<K extends EventType> = Extract<FlowgateEvent, { type: K }>;
type StepOf<K extends JobStep["step"]> = Extract<JobStep, { step: K }>;
type CommentEvent = EventOf<"comment">;
type PullEvent = EventOf<"pull">;

/**
 * Which work each event, step and job change leads to. Composed once, in `app/wiring.ts`, and handed
 * to the workers on the runtime: the one place that says, for instance, that a push starts an apply.
 */
export interface Wiring {
  /** a queued webhook, by what it means for flowgate */
  events: { [K in EventType]?: (rt: Runtime, event: EventOf<K>, data: EventJob) => Promise<void> };
  /** a step of a stack job or of the apply pipeline */
  steps: { [K in JobStep["step"]]: (rt: Runtime, step: StepOf<K>) => Promise<void> };
  maintenance: (rt: Runtime, job: MaintenanceJob) => Promise<void>;
  /** after every accepted change of a stack job (apply jobs: locks, dependents, reports) */
  afterJobChange: (rt: Runtime, job: StackJob, effects: JobEffect[]) => Promise<void>;
  /** from an apply job's plan: whether it pauses for approval (undefined: as the job says) */
  pauseAfterPlan: (rt: Runtime, job: StackJob, plan: ResultJson) => Promise<boolean | undefined>;
  /** a PR was merged */
  onMerged: (rt: Runtime, event: PullEvent) => Promise<void>;
  /** a gate opened or closed: the jobs it held */
  onGateChanged: (rt: Runtime, jobIds: string[]) => Promise<void>;
  /** `/apply`, `/retry`, `/cancel` on a merged PR */
  mergedPullCommand: (rt: Runtime, event: CommentEvent, request: CommandRequest) => Promise<CommandReply>;
}
