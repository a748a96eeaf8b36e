/**
 * The probe loop, as a pure decision a worker asks after each sample (and drives with delayed jobs): has the check
 * passed, failed, or is another sample due, and when? A check passes once it held over `for` (from its first
 * sample to a passing last one, with at least one sample per interval of it); it fails once more than
 * `failureLimit` samples failed, or at once on a failure that asking again cannot mend.
 */

import type { ProbeSchedule } from "../engine/verification.js";
import { formatDuration } from "../lang/time/duration.js";

export interface ProbeSample {
  at: Date;
  ok: boolean;
  reason: string;
  permanent?: boolean;
}

export type VerificationDecision =
  | { verdict: "passed"; reason: string }
  | { verdict: "failed"; reason: string }
  | { verdict: "sample"; at: Date; reason: string };

/** Samples needed to cover `for`: one at the start and one per interval (or part of one) after it. */
export function samplesNeeded(schedule: ProbeSchedule): number {
  return schedule.forMs === 0 ? 1 : Math.ceil(schedule.forMs / schedule.intervalMs) + 1;
}

/** `startedAt`: when verification began (the first sample is due then). */
export function decideVerification(
  schedule: ProbeSchedule,
  samples: readonly ProbeSample[],
  startedAt: Date,
): VerificationDecision {
  const sorted = [...samples].sort((a, b) => a.at.getTime() - b.at.getTime());
  const first = sorted[0];
  const last = sorted.at(-1);
  if (!first || !last) return { verdict: "sample", at: startedAt, reason: "no sample yet" };

  const permanent = sorted.find((s) => !s.ok && s.permanent);
  if (permanent) return { verdict: "failed", reason: permanent.reason };
  const failures = sorted.filter((s) => !s.ok);
  if (failures.length > schedule.failureLimit) {
    const tolerated = schedule.failureLimit === 0 ? "" : ` (${schedule.failureLimit} tolerated)`;
    return {
      verdict: "failed",
      reason: `${failures.length} of ${sorted.length} samples failed${tolerated}; last failure: ${failures.at(-1)!.reason}`,
    };
  }

  const next = new Date(last.at.getTime() + schedule.intervalMs);
  const spanMs = last.at.getTime() - first.at.getTime();
  const needed = samplesNeeded(schedule);
  if (last.ok && spanMs >= schedule.forMs && sorted.length >= needed) {
    const over = schedule.forMs === 0 ? "" : ` over ${formatDuration(spanMs)}`;
    return {
      verdict: "passed",
      reason: `${sorted.length - failures.length} of ${sorted.length} samples passed${over}: ${last.reason}`,
    };
  }
  if (!last.ok)
    return { verdict: "sample", at: next, reason: `the last sample failed (${last.reason}); trying again` };
  const left = schedule.forMs - spanMs;
  const more = left > 0 ? `${formatDuration(left)} left` : `${needed - sorted.length} more sample(s) needed`;
  return { verdict: "sample", at: next, reason: `holding so far; ${more}` };
}
