import type { ApprovalRule, Permission } from "../../config/types.js";

/** How an approval or rejection was given (SPEC §3.1). */
export type ApprovalSource = "review" | "comment" | "button";

/** One approval or rejection as the app gathered it; the caller drops dismissed reviews and COMMENTED ones. */
export interface ApprovalEvent {
  /** review id, comment id or click id: names the event in explanations and dedupes redeliveries */
  id: string;
  /** a CHANGES_REQUESTED review is `reject` with source `review` */
  kind: "approve" | "reject";
  source: ApprovalSource;
  login: string;
  isBot: boolean;
  /** when it was submitted, created or clicked */
  at: Date;
  /** the head it was given on: a review's commit_id, the check run's head_sha, the PR head when a comment was processed */
  headSha: string;
  /**
   * GitHub's id of the review or comment. Ids grow with time, so they order two events of one source
   * stamped in the same second (GitHub's timestamps have whole seconds; webhooks may arrive out of order).
   */
  seq?: number;
  /** the stacks it names; undefined: every affected stack the user is eligible for */
  stacks?: string[];
  /** the reason given with a rejection (free text: escape it before showing it) */
  reason?: string;
}

export interface StackApprovalInput {
  stack: string;
  /** `pauseBetweenPreviewAndUpdateOrDestroy` holds */
  approvalRequired: boolean;
  /**
   * The first `approvalRules` entry whose `if` holds, resolved by the caller. `null`: no rule matches
   * (only break-glass passes). When `approvalRules` is unset the caller passes the default rule.
   */
  rule: ApprovalRule | null;
  /** where the rule comes from, for explanations: "policy production-careful (.github/flowgate/prod.yml)" */
  ruleSource?: string;
  /** `previewBeforeUpdateOrDestroy` holds: approvals must come after the plan for the current head */
  planRequired: boolean;
  /** when the plan for the current head finished; undefined: not finished */
  planFinishedAt?: Date;
}

export interface ApprovalInput {
  headSha: string;
  /** when the current head was pushed; a comment approval must be made after it */
  headPushedAt?: Date;
  /** the last change of base; approvals given before it are stale */
  baseChangedAt?: Date;
  /** the PR author */
  author: string;
  /** everyone who pushed a commit to the PR (may include the author) */
  pushers: readonly string[];
  events: readonly ApprovalEvent[];
  stacks: readonly StackApprovalInput[];
  /** repository permission per login, as the caller fetched it; a login missing here has none */
  permissions: Readonly<Record<string, Permission | "none">>;
  /** team slug → member logins, for the teams the rules name */
  teamMembers: Readonly<Record<string, readonly string[]>>;
}

/** An approval or rejection that did not count, and why, in words a person understands. */
export interface Refusal {
  login: string;
  kind: "approve" | "reject";
  source: ApprovalSource;
  eventId: string;
  reason: string;
}

export interface CountedApproval {
  login: string;
  source: ApprovalSource;
  eventId: string;
  at: Date;
}

export interface StandingRejection {
  login: string;
  source: ApprovalSource;
  eventId: string;
  reason?: string;
  at: Date;
}

export interface StackApproval {
  stack: string;
  /** distinct approvers needed; 0 when no approval is required */
  required: number;
  /** false when no approval rule matches: nothing but break-glass passes the stack */
  ruleMatched: boolean;
  ruleSource?: string;
  satisfied: boolean;
  /** one entry per person who counted, in the order they approved */
  counted: CountedApproval[];
  /** at most one entry per person and kind: the latest thing they did that did not count */
  refused: Refusal[];
  /** rejections by eligible approvers that still stand: each blocks the stack */
  blockedBy: StandingRejection[];
  /** one line for the check run and the comment; holds logins, never free text */
  summary: string;
}
