import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { GitHubPort, RepoRef } from "../github/port.js";
import type { AuditLog } from "../observability/audit.js";
import type { Metrics } from "../observability/metrics.js";
import type { Queues } from "../queue/queues.js";
import type { ApplyStore } from "../state/applies.js";
import type { FactCache } from "../state/facts.js";
import type { GateStore } from "../state/gates.js";
import type { HeadVerdictStore } from "../state/head-verdicts.js";
import type { InstallationStore } from "../state/installations.js";
import type { JobStore } from "../state/jobs.js";
import type { PullStore } from "../state/pulls.js";
import type { VerificationStore } from "../state/verifications.js";
import type { ConfigService } from "./config-service.js";
import type { Settings } from "./settings.js";
import type { Wiring } from "./wiring.js";

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Everything a worker needs, handed in once: no module reaches for globals. */
export interface Runtime {
  settings: Settings;
  redis: Redis;
  queues: Queues;
  pulls: PullStore;
  jobs: JobStore;
  applies: ApplyStore;
  installations: InstallationStore;
  headVerdicts: HeadVerdictStore;
  verifications: VerificationStore;
  gates: GateStore;
  facts: FactCache;
  audit: AuditLog;
  metrics: Metrics;
  config: ConfigService;
  github(ref: RepoRef): GitHubPort;
  clock: Clock;
  log: Logger;
  /** the app's slug: its comments are by `<slug>[bot]`, its runs are triggered by it */
  appSlug: string;
  /** every installation of the app (app-level credentials) */
  listInstallations(): Promise<number[]>;
  /** which work each event, step and job change leads to (app/wiring.ts) */
  wiring: Wiring;
}
