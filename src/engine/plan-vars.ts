import { type ExprVars, riskOf } from "../lang/expressions.js";
import type { PlanOutcome } from "./stack-job/types.js";

export type PlanFacts = Pick<PlanOutcome, "summary" | "resources" | "estimatedCost">;

/** The variables a plan gives expressions (SPEC §2.2): `plan.*`, `estimatedCost`, and `risk` from its counts. */
export function planExprVars(plan: PlanFacts | undefined): Partial<ExprVars> {
  if (!plan) return {};
  return {
    plan: {
      ...plan.summary,
      resources: plan.resources.map((r) => ({
        address: r.address,
        type: r.type,
        action: r.action,
        changedAttributes: r.changedAttributes,
      })),
    },
    risk: riskOf(plan.summary),
    ...(plan.estimatedCost !== undefined ? { estimatedCost: plan.estimatedCost } : {}),
  };
}
