import type { AuditEntry } from "../observability/audit.js";

export interface PolicyUsage {
  policy: string;
  jobs: number;
  approvalsRequired: number;
  autoApproved: number;
  rejected: number;
  /** seconds from "waiting for approval" to the approval, averaged over jobs that waited */
  averageWaitSeconds: number | null;
  /** seconds from creation to the end, averaged over finished jobs */
  averageExecutionSeconds: number | null;
  succeeded: number;
  failed: number;
  /** verifications after an apply (issue 13), by outcome */
  verified: number;
  verificationFailed: number;
}

const TERMINAL = new Set(["succeeded", "failed", "cancelled", "superseded", "timed_out"]);

/** Per policy, from the audit log's job-status entries (the seed's `flow-control-policy usage`). */
export function summarizeUsage(entries: readonly AuditEntry[]): PolicyUsage[] {
  const jobs = new Map<
    string,
    { policy: string; statuses: { status: string; at: number; reason: string }[] }
  >();
  for (const e of entries) {
    if (e.type !== "job-status" || !e.jobId || !e.policy || !e.decision) continue;
    const job = jobs.get(e.jobId) ?? { policy: e.policy, statuses: [] };
    job.statuses.push({ status: e.decision, at: Date.parse(e.at), reason: e.reason ?? "" });
    jobs.set(e.jobId, job);
  }
  const byPolicy = new Map<string, PolicyUsage & { waits: number[]; runs: number[] }>();
  for (const job of jobs.values()) {
    const u = byPolicy.get(job.policy) ?? {
      policy: job.policy,
      jobs: 0,
      approvalsRequired: 0,
      autoApproved: 0,
      rejected: 0,
      averageWaitSeconds: null,
      averageExecutionSeconds: null,
      succeeded: 0,
      failed: 0,
      verified: 0,
      verificationFailed: 0,
      waits: [],
      runs: [],
    };
    u.jobs++;
    const waiting = job.statuses.find((s) => s.status === "awaiting_approval");
    const applying = job.statuses.find((s) => s.status === "applying" && waiting && s.at >= waiting.at);
    const carried = job.statuses.some((s) => s.status === "applying" && /carried over/i.test(s.reason));
    if (waiting) {
      u.approvalsRequired++;
      if (applying) u.waits.push((applying.at - waiting.at) / 1000);
    } else if (carried) u.approvalsRequired++;
    else if (job.statuses.some((s) => s.status === "applying" || s.status === "succeeded")) u.autoApproved++;
    const end = job.statuses.find((s) => TERMINAL.has(s.status));
    if (end?.status === "succeeded") u.succeeded++;
    if (end?.status === "failed" || end?.status === "timed_out") u.failed++;
    if (job.statuses.some((s) => s.status === "cancelled" && /reject/i.test(s.reason))) u.rejected++;
    const first = job.statuses[0];
    if (end && first) u.runs.push((end.at - first.at) / 1000);
    byPolicy.set(job.policy, u);
  }
  for (const e of entries) {
    if (e.type !== "verification" || !e.policy) continue;
    const u = byPolicy.get(e.policy);
    if (u && e.decision === "passed") u.verified++;
    if (u && e.decision === "failed") u.verificationFailed++;
  }
  const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  return [...byPolicy.values()]
    .map(({ waits, runs, ...u }) => ({
      ...u,
      averageWaitSeconds: avg(waits),
      averageExecutionSeconds: avg(runs),
    }))
    .sort((a, b) => b.jobs - a.jobs || a.policy.localeCompare(b.policy));
}

function minutes(seconds: number | null): string {
  if (seconds === null) return "n/a";
  return seconds < 90 ? `${Math.round(seconds)} seconds` : `${Math.round(seconds / 60)} minutes`;
}

export function renderUsage(usage: readonly PolicyUsage[], span: string): string {
  if (usage.length === 0) return `No stack jobs in the last ${span}.\n`;
  const lines: string[] = [];
  for (const u of usage) {
    lines.push(`Policy: ${u.policy}`);
    lines.push(`- Applied to: ${u.jobs} stack jobs`);
    if (u.approvalsRequired) lines.push(`- Approvals required: ${u.approvalsRequired}`);
    if (u.approvalsRequired) lines.push(`- Average wait time: ${minutes(u.averageWaitSeconds)}`);
    if (u.autoApproved) lines.push(`- Auto-approved: ${u.autoApproved}`);
    lines.push(`- Rejected: ${u.rejected}`);
    lines.push(`- Average execution: ${minutes(u.averageExecutionSeconds)}`);
    if (u.verified || u.verificationFailed)
      lines.push(`- Verified after apply: ${u.verified} passed, ${u.verificationFailed} failed`);
  }
  return `${lines.join("\n")}\n`;
}
