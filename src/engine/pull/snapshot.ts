import type { ApprovalRule, Gate, Permission, Stack } from "../../config/types.js";
import type { PullFacts } from "../../model/repo.js";
import type { ApprovalEvent } from "../approvals.js";
import type { CommandRequest } from "../commands.js";
import type { GateToggle } from "../gates.js";
import type { Provenance } from "../resolve/provenance.js";
import type { Resolution } from "../resolve/resolve.js";
import type { StackJob } from "../stack-job/types.js";

/** The PR as the evaluation sees it: a stored pull record satisfies this. */
export interface PullSubject {
  repo: { owner: string; repo: string; repoId: number };
  facts: PullFacts;
  /** when the current head arrived: a comment approval must come after it (SPEC §3.1) */
  headPushedAt?: string;
  baseChangedAt?: string;
}

/** One stack the PR touches, with everything read about it. */
export interface StackFacts {
  stack: Stack;
  files: string[];
  resolution: Resolution;
  /** the plan job for the PR's current head, if one was started */
  planJob?: StackJob;
  /** the plan's text when it succeeded, shown on the plan check */
  planText?: string;
  /** the head this stack's approval was last remembered for */
  approvedHead?: string;
  /** the stored state of each gate the resolution names that blocks merges */
  gateToggles: Record<string, GateToggle | undefined>;
}

/** The configuration as read for this PR (SPEC §2.3). */
export interface ConfigFacts {
  /** problems that make it unusable, `file:line:col message`; the check names each */
  errors: string[];
  /** the default branch's configuration was invalid and this PR, touching only it, was read at its head */
  validatedAtHead?: { defaultBranchErrors: string[] };
  gates: ReadonlyMap<string, Gate>;
  /** the PR changes flowgate's configuration: how many files */
  change?: { files: number; rule: { rule: ApprovalRule | null; provenance: Provenance } };
  /** what merging the configuration change would do, for the sticky comment */
  explanation?: string;
}

/**
 * Everything the evaluation of one PR reads, gathered before anything is decided (SPEC §3): the pure
 * decision takes this and nothing else.
 */
export interface PullSnapshot {
  now: Date;
  pull: PullSubject;
  /** false for forks and authors without write permission (SPEC §5.1) */
  trusted: boolean;
  config: ConfigFacts;
  files: { complete: boolean; listed: number; changed: number };
  /** infrastructure files no stack owns (SPEC §2.1) */
  unownedInfra: string[];
  stacks: StackFacts[];
  override?: { login: string; at: string; reason: string };
  /** gate state was lost with Redis at this moment; gates count as closed until set again */
  lostSince?: Date;
  /** reviews, /approve and /reject comments, Approve buttons */
  events: ApprovalEvent[];
  /** everyone who counts as an author of the head */
  pushers: string[];
  /** permission of everyone who approved or rejected, and who of them is in the teams the rules name */
  people: {
    permissions: Record<string, Permission | "none">;
    teamMembers: Record<string, string[]>;
  };
  /** /approve and /reject comments whose outcome is answered after counting */
  approvalRequests: CommandRequest[];
}
