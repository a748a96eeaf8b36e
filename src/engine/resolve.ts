/** Resolution (SPEC §2.2): which flow control applies to a stack, and why. */
export { resolveConfigurationApproval } from "./resolve/configuration.js";
export { BUILT_IN, BUILT_IN_DEFAULTS, DEFAULT_CONFIGURATION_RULE } from "./resolve/defaults.js";
export { compileCached, evaluateCondition } from "./resolve/evaluate.js";
export { builtInProvenance, describeProvenance, type Provenance } from "./resolve/provenance.js";
export {
  type AppliedPolicy,
  type EffectiveFlow,
  type Resolution,
  type ResolveContext,
  resolveStack,
} from "./resolve/resolve.js";
export { buildPolicyIndex, type PolicyIndex } from "./resolve/selectors.js";
export { findTies } from "./resolve/ties.js";
