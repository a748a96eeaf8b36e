/**
 * Approval counting (SPEC §3.1, §2.3): which approvals and rejections count for each stack, who did not
 * count and why. Plain data in, plain data out; the caller gathers reviews, comments, clicks and facts.
 */
import type { ApprovalRule } from "../config/types.js";
import { countStack, orderEvents } from "./approvals/count.js";
import { peopleFacts } from "./approvals/eligibility.js";
import type { ApprovalInput, StackApproval } from "./approvals/types.js";

export { approverRefusal, type PeopleFacts, peopleFacts } from "./approvals/eligibility.js";
export { NO_RULE_MATCHES } from "./approvals/summary.js";
export type {
  ApprovalEvent,
  ApprovalInput,
  ApprovalSource,
  CountedApproval,
  Refusal,
  StackApproval,
  StackApprovalInput,
  StandingRejection,
} from "./approvals/types.js";

/** The name under which the configuration-change approval is reported. */
export const CONFIGURATION_STACK = "configuration";
/** SPEC §2.3: one approver with admin or maintain permission. */
export const DEFAULT_CONFIGURATION_APPROVAL: ApprovalRule = {
  approvers: { minRequired: 1, minPermission: "maintain" },
};

/** Counts approvals for every stack of the input, in input order. */
export function countApprovals(input: ApprovalInput): StackApproval[] {
  const people = peopleFacts(input);
  const events = orderEvents(input.events);
  const head = {
    headSha: input.headSha,
    headPushedAt: input.headPushedAt,
    baseChangedAt: input.baseChangedAt,
  };
  return input.stacks.map((stack) => countStack(stack, events, people, head));
}

/**
 * The approval a configuration change needs (SPEC §2.3), reported as stack `configuration`. `rule`
 * undefined means no configuration policy sets one (the default applies); `null` means none matches.
 * A rule that leaves `minPermission` out still needs maintain: only a rule that says so lowers the bar
 * below the default's.
 */
export function configurationApproval(
  input: Omit<ApprovalInput, "stacks"> & { rule?: ApprovalRule | null; ruleSource?: string },
): StackApproval {
  const { rule, ruleSource, ...rest } = input;
  const chosen =
    rule === undefined
      ? DEFAULT_CONFIGURATION_APPROVAL
      : rule === null
        ? null
        : {
            ...rule,
            approvers: { ...rule.approvers, minPermission: rule.approvers.minPermission ?? "maintain" },
          };
  const [result] = countApprovals({
    ...rest,
    stacks: [
      {
        stack: CONFIGURATION_STACK,
        approvalRequired: true,
        rule: chosen,
        ...(ruleSource !== undefined ? { ruleSource } : {}),
        planRequired: false,
      },
    ],
  });
  return result!;
}
