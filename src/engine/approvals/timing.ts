import type { ApprovalEvent } from "./types.js";

/** What an event's timing is checked against. */
export interface TimingFacts {
  headSha: string;
  headPushedAt?: Date;
  baseChangedAt?: Date;
  /** set when the plan for the current head must have finished before an approval counts */
  plan?: { finishedAt?: Date };
}

export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}

/**
 * GitHub gives comment and review times to the second, flowgate's own boundaries (plan finished,
 * head pushed) to the millisecond: an event in the same second as its boundary is not before it.
 * Written as "not at or after" so an invalid date (NaN) is refused rather than let through.
 */
function before(at: Date, boundary: Date): boolean {
  return !(at.getTime() >= Math.floor(boundary.getTime() / 1000) * 1000);
}

/** Why the event is not bound to the current head, or undefined when it is (rejections and approvals alike). */
export function headRefusal(event: ApprovalEvent, facts: TimingFacts): string | undefined {
  if (event.headSha !== facts.headSha) {
    return `given on ${shortSha(event.headSha)}, head is now ${shortSha(facts.headSha)}`;
  }
  if (event.source === "comment" && facts.headPushedAt && before(event.at, facts.headPushedAt)) {
    return "made before the current head was pushed";
  }
  return undefined;
}

/** Why an approval came too early or on the wrong head, or undefined when its timing is good. */
export function approvalTimingRefusal(event: ApprovalEvent, facts: TimingFacts): string | undefined {
  const head = headRefusal(event, facts);
  if (head) return head;
  if (facts.baseChangedAt && before(event.at, facts.baseChangedAt)) return "given before the base changed";
  if (facts.plan) {
    const finishedAt = facts.plan.finishedAt;
    if (!finishedAt || before(event.at, finishedAt)) return "given before the plan finished";
  }
  return undefined;
}
