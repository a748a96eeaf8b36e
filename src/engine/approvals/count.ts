import type { ApprovalRule, Approvers } from "../../config/types.js";
import { approverRefusal, isBotPerson, loginKey, type PeopleFacts } from "./eligibility.js";
import { approvalSummary, NO_RULE_MATCHES } from "./summary.js";
import { approvalTimingRefusal, headRefusal, type TimingFacts } from "./timing.js";
import type {
  ApprovalEvent,
  CountedApproval,
  Refusal,
  StackApproval,
  StackApprovalInput,
  StandingRejection,
} from "./types.js";

/** Who may reject where no rule matches: the default approver (write permission, not an author, not a bot). */
const DEFAULT_APPROVERS: Approvers = { minRequired: 1 };

/** Drops redelivered events (same source and id) and orders the rest by time, then by GitHub id within one source, then input order. */
export function orderEvents(events: readonly ApprovalEvent[]): ApprovalEvent[] {
  const seen = new Set<string>();
  const unique: { event: ApprovalEvent; index: number }[] = [];
  events.forEach((event, index) => {
    const key = `${event.source}:${event.id}`;
    if (seen.has(key)) return;
    seen.add(key);
    unique.push({ event, index });
  });
  const time = (e: ApprovalEvent) =>
    Number.isNaN(e.at.getTime()) ? Number.NEGATIVE_INFINITY : e.at.getTime();
  const sequence = (a: ApprovalEvent, b: ApprovalEvent) =>
    a.source === b.source && a.seq !== undefined && b.seq !== undefined ? a.seq - b.seq : 0;
  unique.sort((a, b) => time(a.event) - time(b.event) || sequence(a.event, b.event) || a.index - b.index);
  return unique.map((u) => u.event);
}

/** Groups the events that bear on one stack by person (logins ignore case), in time order. */
function eventsByPerson(stack: string, events: readonly ApprovalEvent[]): Map<string, ApprovalEvent[]> {
  const byPerson = new Map<string, ApprovalEvent[]>();
  for (const event of events) {
    if (event.stacks !== undefined && !event.stacks.includes(stack)) continue;
    const key = loginKey(event.login);
    const list = byPerson.get(key) ?? [];
    list.push(event);
    byPerson.set(key, list);
  }
  return byPerson;
}

interface PersonOutcome {
  counted?: CountedApproval;
  refused: Refusal[];
  rejection?: StandingRejection;
}

function refusal(event: ApprovalEvent, login: string, reason: string): Refusal {
  return { login, kind: event.kind, source: event.source, eventId: event.id, reason };
}

/**
 * One person's standing on one stack. A rejection withdraws what they approved before it; one on the
 * current head also blocks until they approve again on that head, and a push voids it (it no longer
 * is on the current head). Of the approvals after their last rejection, the first one whose timing holds counts.
 */
function personOutcome(
  events: readonly ApprovalEvent[],
  rule: ApprovalRule | null,
  people: PeopleFacts,
  timing: TimingFacts,
): PersonOutcome {
  const first = events[0]!;
  const person = { login: first.login, isBot: events.some((e) => isBotPerson(e.login, e.isBot)) };
  const login = first.login;
  const approveRefusal = rule ? approverRefusal(person, rule.approvers, people, "approve") : NO_RULE_MATCHES;
  const rejectRefusal = approverRefusal(
    person,
    (rule ?? { approvers: DEFAULT_APPROVERS }).approvers,
    people,
    "reject",
  );

  const eligibleReject = (e: ApprovalEvent) => e.kind === "reject" && !rejectRefusal;
  const rejectOk = (e: ApprovalEvent) => eligibleReject(e) && !headRefusal(e, timing);
  const lastReject = events.findLastIndex(rejectOk);
  // Any later rejection withdraws what the person approved before, even one given on an older head.
  const lastWithdrawal = events.findLastIndex(eligibleReject);
  const approvals = events.slice(lastWithdrawal + 1).filter((e) => e.kind === "approve");
  const outcome: PersonOutcome = { refused: [] };

  const lifted = events.slice(lastReject + 1).some((e) => e.kind === "approve" && !headRefusal(e, timing));
  if (lastReject >= 0 && !lifted) {
    const r = events[lastReject]!;
    outcome.rejection = {
      login,
      source: r.source,
      eventId: r.id,
      at: r.at,
      ...(r.reason ? { reason: r.reason } : {}),
    };
  }

  const latestApproval = approvals.at(-1);
  if (latestApproval) {
    if (approveRefusal) {
      outcome.refused.push(refusal(latestApproval, login, approveRefusal));
    } else {
      const good = approvals.find((e) => !approvalTimingRefusal(e, timing));
      if (good) outcome.counted = { login, source: good.source, eventId: good.id, at: good.at };
      else
        outcome.refused.push(refusal(latestApproval, login, approvalTimingRefusal(latestApproval, timing)!));
    }
  }

  // A rejection that did not count is worth explaining only while it is the person's last word.
  const last = events.at(-1)!;
  if (last.kind === "reject" && !rejectOk(last)) {
    outcome.refused.push(refusal(last, login, rejectRefusal ?? headRefusal(last, timing)!));
  }
  return outcome;
}

/** Counts the approvals of one stack. */
export function countStack(
  stack: StackApprovalInput,
  events: readonly ApprovalEvent[],
  people: PeopleFacts,
  head: Omit<TimingFacts, "plan">,
): StackApproval {
  const timing: TimingFacts = stack.planRequired
    ? { ...head, plan: { finishedAt: stack.planFinishedAt } }
    : head;
  const counted: CountedApproval[] = [];
  const refused: Refusal[] = [];
  const blockedBy: StandingRejection[] = [];
  for (const personEvents of eventsByPerson(stack.stack, events).values()) {
    const outcome = personOutcome(personEvents, stack.rule, people, timing);
    if (outcome.counted) counted.push(outcome.counted);
    if (outcome.rejection) blockedBy.push(outcome.rejection);
    refused.push(...outcome.refused);
  }
  counted.sort((a, b) => a.at.getTime() - b.at.getTime());
  blockedBy.sort((a, b) => a.at.getTime() - b.at.getTime());

  const ruleMatched = stack.rule !== null;
  // With no matching rule nothing can be enough: one approval is shown as missing, and none can count.
  const required = !stack.approvalRequired
    ? 0
    : stack.rule
      ? Math.max(0, stack.rule.approvers.minRequired)
      : 1;
  const approved = !stack.approvalRequired || (ruleMatched && counted.length >= required);
  const satisfied = approved && blockedBy.length === 0;
  const summary = approvalSummary({
    approvalRequired: stack.approvalRequired,
    ruleMatched,
    required,
    counted,
    refused,
    blockedBy,
  });
  return {
    stack: stack.stack,
    required,
    ruleMatched,
    ...(stack.ruleSource !== undefined ? { ruleSource: stack.ruleSource } : {}),
    satisfied,
    counted,
    refused,
    blockedBy,
    summary,
  };
}
