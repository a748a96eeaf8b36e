import type { CountedApproval, Refusal, StandingRejection } from "./types.js";

export const NO_RULE_MATCHES = "no approval rule matches this change; only break-glass can pass it";

/** One line for a check run or the sticky comment. Logins only: reasons typed by people stay out. */
export function approvalSummary(parts: {
  approvalRequired: boolean;
  ruleMatched: boolean;
  required: number;
  counted: readonly CountedApproval[];
  refused: readonly Refusal[];
  blockedBy: readonly StandingRejection[];
}): string {
  const pieces: string[] = [];
  if (!parts.approvalRequired) {
    pieces.push("no approval needed");
  } else if (!parts.ruleMatched) {
    pieces.push(NO_RULE_MATCHES);
  } else {
    const noun = parts.required === 1 ? "approval" : "approvals";
    const who = parts.counted.length > 0 ? ` (${parts.counted.map((c) => c.login).join(", ")})` : "";
    pieces.push(`${parts.counted.length} of ${parts.required} ${noun}${who}`);
    const refusedApprovals = parts.refused.filter((r) => r.kind === "approve");
    if (refusedApprovals.length > 0) {
      pieces.push(`refused: ${refusedApprovals.map((r) => `${r.login} (${r.reason})`).join(", ")}`);
    }
  }
  if (parts.blockedBy.length > 0) {
    pieces.push(`rejected by ${parts.blockedBy.map((b) => b.login).join(", ")}`);
  }
  return pieces.join("; ");
}
