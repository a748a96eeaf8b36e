/**
 * Semantic validation across documents and sources (SPEC §2, §6.1): what the schema cannot see. Returns only these
 * findings; the loading diagnostics (`ConfigSet.diagnostics`) and the generators' are the caller's to add.
 */

import { describeLocation, diagnosticAt, sortDiagnostics } from "../config/diagnostics.js";
import type { ConfigSet, Diagnostic, Stack } from "../config/types.js";
import { findTies } from "../engine/resolve.js";
import { checkAfterApplyFields } from "./validate-after-apply.js";
import { checkDuplicateGates, checkGateReferences } from "./validate-gates.js";
import {
  checkDuplicatePolicies,
  checkExpiry,
  checkPolicyExpressions,
  checkSelectorSense,
} from "./validate-policies.js";
import { checkResolvedProgression } from "./validate-progression.js";
import { checkCycles, checkDependsOn, checkDuplicateStacks } from "./validate-stacks.js";
import { checkGateTeams, checkPolicyTeams } from "./validate-teams.js";
import { checkGateTimes, checkPolicyTimes } from "./validate-time.js";

export interface ValidateInput {
  platform?: ConfigSet;
  organization?: ConfigSet;
  repository: ConfigSet;
  /** explicit and generated */
  stacks: readonly Stack[];
  /** the organization's login, for `organization` selectors */
  org?: string;
  now: Date;
}

function checkSettingsCount(set: ConfigSet): Diagnostic[] {
  const [first, ...rest] = set.settings;
  if (!first) return [];
  return rest.map((s) =>
    diagnosticAt(
      s.origin,
      ["kind"],
      "error",
      `only one Settings document is allowed per ${s.origin.level} source; the first is at ${describeLocation(first.origin, ["kind"])}`,
    ),
  );
}

/** Every semantic finding, sorted by file and line. */
export function validateConfig(input: ValidateInput): Diagnostic[] {
  const sets = [input.platform, input.organization, input.repository].filter(
    (s): s is ConfigSet => s !== undefined,
  );
  const policies = sets.flatMap((s) => s.policies);
  const found: Diagnostic[] = [
    ...checkDuplicateStacks(input.stacks),
    ...checkDependsOn(input.stacks),
    ...checkCycles(input.stacks),
    ...checkGateReferences(input),
  ];
  for (const set of sets) {
    found.push(
      ...checkSettingsCount(set),
      ...checkDuplicateGates(set.gates),
      ...checkDuplicatePolicies(set.policies),
    );
    for (const gate of set.gates) found.push(...checkGateTimes(gate), ...checkGateTeams(gate, input.org));
  }
  const environments = new Set(input.stacks.map((s) => s.environment));
  for (const policy of policies) {
    found.push(
      ...checkAfterApplyFields(policy, environments),
      ...checkExpiry(policy, input.now),
      ...checkPolicyExpressions(policy),
      ...checkPolicyTimes(policy),
      ...checkSelectorSense(policy, input.org),
      ...checkPolicyTeams(policy, input.org),
    );
  }
  found.push(
    ...findTies(policies, input.stacks, {
      ...(input.org === undefined ? {} : { org: input.org }),
      now: input.now,
    }),
  );
  const resolveOpts = { ...(input.org === undefined ? {} : { org: input.org }), now: input.now };
  found.push(...checkResolvedProgression(policies, input.stacks, resolveOpts));
  return sortDiagnostics(found);
}
