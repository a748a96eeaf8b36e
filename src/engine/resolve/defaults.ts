import type { ApprovalRule, AutoMerge, BreakGlass, FlowFields, Timeouts } from "../../config/types.js";

/** The name shown as provenance for values no policy set. */
export const BUILT_IN = "flowgate built-in default";

/** What applies when no policy sets a field. Fail-safe: plan first and wait for one approval. */
export const BUILT_IN_DEFAULTS: Required<Omit<FlowFields, "breakGlass">> & {
  breakGlass: BreakGlass | undefined;
} = {
  isManual: false,
  disableOnLifecycleEvents: false,
  skipRefresh: false,
  previewBeforeUpdateOrDestroy: true,
  pauseBetweenPreviewAndUpdateOrDestroy: true,
  gates: [],
  approvalRules: [{ approvers: { minRequired: 1 } }],
  autoMerge: { enabled: false } satisfies AutoMerge,
  breakGlass: undefined,
  timeouts: { plan: "1h", apply: "3h", approval: "7d" } satisfies Timeouts,
  planMaxAge: "24h",
  verify: [],
  onFailure: "hold",
  progression: { after: [] },
  rollout: { waves: [] },
};

/** SPEC §2.3: a configuration change needs one approver with admin or maintain permission by default. */
export const DEFAULT_CONFIGURATION_RULE: ApprovalRule = {
  approvers: { minRequired: 1, minPermission: "maintain" },
};
