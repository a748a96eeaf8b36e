import { join } from "node:path";
import { packageRoot } from "../paths.js";

export type Role = "all" | "web" | "worker";

/** Everything flowgate reads from the environment, in one place (Probot reads its own variables). */
export interface Settings {
  role: Role;
  redisUrl?: string;
  port: number;
  host: string;
  platformDir: string;
  dataDir: string;
  /** GitHub asks for about one mutation per second per installation (SPEC §7) */
  writeIntervalMs: number;
  reconcileIntervalMs: number;
  /** how long a dispatched run may take to appear in GitHub's run list before flowgate dispatches again */
  dispatchLookupGraceMs: number;
  workerConcurrency: number;
  /** how often a worker looks for stack jobs past their deadline */
  deadlineSweepMs: number;
  /** link targets for check runs */
  publicUrl?: string;
  auditRetentionDays: number;
}

function int(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && value !== "" && Number.isFinite(n) && n >= 0 ? n : fallback;
}

export function readSettings(env: Record<string, string | undefined> = process.env): Settings {
  const role = env.FLOWGATE_ROLE;
  return {
    role: role === "web" || role === "worker" ? role : "all",
    ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
    port: int(env.PORT, 3000),
    host: env.HOST ?? "0.0.0.0",
    platformDir: env.FLOWGATE_PLATFORM_DIR ?? join(packageRoot(), "policies", "platform"),
    dataDir: env.FLOWGATE_DATA_DIR ?? join(process.cwd(), ".data"),
    writeIntervalMs: int(env.FLOWGATE_WRITE_INTERVAL_MS, 1000),
    reconcileIntervalMs: int(env.FLOWGATE_RECONCILE_INTERVAL_MS, 10 * 60_000),
    dispatchLookupGraceMs: int(env.FLOWGATE_DISPATCH_LOOKUP_GRACE_MS, 30_000),
    workerConcurrency: int(env.FLOWGATE_WORKER_CONCURRENCY, 8),
    deadlineSweepMs: int(env.FLOWGATE_DEADLINE_SWEEP_MS, 5_000),
    ...(env.FLOWGATE_PUBLIC_URL ? { publicUrl: env.FLOWGATE_PUBLIC_URL } : {}),
    auditRetentionDays: int(env.FLOWGATE_AUDIT_RETENTION_DAYS, 90),
  };
}
