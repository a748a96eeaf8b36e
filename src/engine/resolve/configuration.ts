import type { ApprovalRule, Policy } from "../../config/types.js";
import type { ExprVars } from "../../lang/expressions.js";
import { DEFAULT_CONFIGURATION_RULE } from "./defaults.js";
import { evaluateCondition } from "./evaluate.js";
import { builtInProvenance, describeProvenance, type Provenance, policyProvenance } from "./provenance.js";
import type { PolicyIndex } from "./selectors.js";

export interface ConfigurationApprovalPolicy {
  rule: ApprovalRule | null;
  provenance: Provenance;
  reason: string;
  errors: string[];
}

/**
 * Who approves a configuration change (SPEC §2.3): the `approvalRules` of policies with selector
 * `{kind: configuration}`, repository above organization above platform, unless an organization
 * policy enforces its own.
 */
export function resolveConfigurationApproval(
  index: PolicyIndex,
  vars: ExprVars,
): ConfigurationApprovalPolicy {
  const withRules = index.configuration
    .filter((p) => p.policy.flowControl.approvalRules !== undefined)
    .sort((a, b) => a.sourceRank - b.sourceRank);
  const enforced = withRules.filter((p) => p.enforced).at(-1);
  const chosen: Policy | undefined = (enforced ?? withRules.at(-1))?.policy;
  if (!chosen) {
    return {
      rule: DEFAULT_CONFIGURATION_RULE,
      provenance: builtInProvenance,
      reason: "default: one approver with admin or maintain permission",
      errors: [],
    };
  }
  const provenance = policyProvenance(chosen);
  const rules = chosen.flowControl.approvalRules ?? [];
  const errors: string[] = [];
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    if (rule.if === undefined)
      return { rule, provenance, reason: `rule ${i + 1} of ${describeProvenance(provenance)}`, errors };
    const outcome = evaluateCondition(rule.if, vars);
    if (outcome.kind === "error") {
      errors.push(outcome.message);
      return { rule: null, provenance, reason: outcome.message, errors };
    }
    if (outcome.holds) return { rule, provenance, reason: `rule ${i + 1}: ${rule.if}`, errors };
  }
  return { rule: null, provenance, reason: "no configuration approval rule matches", errors };
}
