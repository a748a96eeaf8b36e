import type { Redis } from "ioredis";
import { keys } from "../state/keys.js";

/** One decision flowgate made, with who and why (SPEC §6: every decision goes to an audit log). */
export interface AuditEntry {
  at: string;
  type:
    | "policy-resolved"
    | "approval-counted"
    | "approval-refused"
    | "rejection"
    | "gate-opened"
    | "gate-closed"
    | "gate-refused"
    | "override"
    | "override-refused"
    | "dispatch"
    | "result"
    | "job-status"
    | "merge"
    | "command-refused"
    | "config-invalid"
    | "verification";
  repo?: string;
  pr?: number;
  stack?: string;
  jobId?: string;
  actor?: string;
  policy?: string;
  environment?: string;
  decision?: string;
  reason?: string;
  /** seconds waited, for approvals and job durations */
  waitSeconds?: number;
  [extra: string]: unknown;
}

export interface AuditSink {
  record(entry: Omit<AuditEntry, "at"> & { at?: string }): Promise<void>;
}

const MAX_ENTRIES = 500_000;
const TRIM_EVERY_MS = 60_000;

/**
 * The audit log: a Redis stream with bounded retention (by age and by count), and a copy of every
 * entry in the structured logs, so the record survives a Redis loss (SPEC §7).
 */
export class AuditLog implements AuditSink {
  private trimmedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly redis: Redis,
    private readonly log: (entry: AuditEntry) => void,
    private readonly retentionDays: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async record(input: Omit<AuditEntry, "at"> & { at?: string }): Promise<void> {
    const entry = { ...input, at: input.at ?? this.now().toISOString() } as AuditEntry;
    this.log(entry);
    const now = this.now().getTime();
    const add = this.redis.xadd(
      keys.audit(),
      "MAXLEN",
      "~",
      String(MAX_ENTRIES),
      "*",
      "e",
      JSON.stringify(entry),
    );
    // Trimming by age once a minute is enough for a retention counted in days, and costs a command
    // per minute instead of one per entry.
    if (now - this.trimmedAt >= TRIM_EVERY_MS) {
      this.trimmedAt = now;
      const minId = `${now - this.retentionDays * 86_400_000}-0`;
      await Promise.all([add, this.redis.xtrim(keys.audit(), "MINID", "~", minId)]);
    } else await add;
  }

  /** Entries since a moment, oldest first. */
  async since(from: Date, limit = 100_000): Promise<AuditEntry[]> {
    const rows = await this.redis.xrange(keys.audit(), `${from.getTime()}-0`, "+", "COUNT", limit);
    // The stream is ordered by when entries were written; `since` means when the decision was made.
    return rows
      .map(([, fields]) => JSON.parse(fields[1] ?? "{}") as AuditEntry)
      .filter((e) => Date.parse(e.at) >= from.getTime());
  }
}
