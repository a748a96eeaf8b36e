import type { ApprovalRule } from "../../../src/config/types.js";
import type { ApprovalEvent, ApprovalInput, StackApprovalInput } from "../../../src/engine/approvals.js";

export const HEAD = "def5678e9f0a1b2c3d4e5f60718293a4b5c6d7e8";
export const OLD_HEAD = "abc1234d5e6f708192a3b4c5d6e7f8091a2b3c4d";

/** Minutes after a fixed start, so every test reads its timeline at a glance. */
export function t(minutes: number): Date {
  return new Date(Date.UTC(2026, 0, 5, 10, 0, 0) + minutes * 60_000);
}

let nextId = 1;

export function approve(login: string, at: number, extra: Partial<ApprovalEvent> = {}): ApprovalEvent {
  return {
    id: String(nextId++),
    kind: "approve",
    source: "review",
    login,
    isBot: false,
    at: t(at),
    headSha: HEAD,
    ...extra,
  };
}

export function reject(login: string, at: number, extra: Partial<ApprovalEvent> = {}): ApprovalEvent {
  return {
    id: String(nextId++),
    kind: "reject",
    source: "comment",
    login,
    isBot: false,
    at: t(at),
    headSha: HEAD,
    ...extra,
  };
}

export const ONE_APPROVER: ApprovalRule = { approvers: { minRequired: 1 } };

/** A stack that needs approval after its plan, which finished at minute 10. */
export function stack(extra: Partial<StackApprovalInput> = {}): StackApprovalInput {
  return {
    stack: "db",
    approvalRequired: true,
    rule: ONE_APPROVER,
    planRequired: true,
    planFinishedAt: t(10),
    ...extra,
  };
}

/** Head pushed at minute 0 by `author` (and `pusher`); everyone else has the permission listed. */
export function input(events: ApprovalEvent[], extra: Partial<ApprovalInput> = {}): ApprovalInput {
  return {
    headSha: HEAD,
    headPushedAt: t(0),
    author: "author",
    pushers: ["pusher"],
    events,
    stacks: [stack()],
    permissions: {
      alice: "write",
      bob: "write",
      carol: "read",
      dave: "maintain",
      erin: "write",
      octocat: "write",
      author: "admin",
      pusher: "write",
      "renovate[bot]": "write",
    },
    teamMembers: { "platform-team": ["Alice", "erin"] },
    ...extra,
  };
}
