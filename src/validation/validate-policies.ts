/**
 * Policy checks (SPEC §2.2): expiry, CEL expressions and what a condition reading the plan may set, and fields
 * that mean nothing for the selector kind they are written under.
 */

import { describeLocation, diagnosticAt } from "../config/diagnostics.js";
import { type FieldSet, fieldSetsOf, fieldsSet } from "../config/flow-fields.js";
import { didYouMean } from "../config/suggest.js";
import {
  CONTROL_NAMES,
  type Diagnostic,
  type NodePath,
  type Policy,
  PRE_PLAN_FIELDS,
} from "../config/types.js";
import { compileExpression, EXPRESSION_VARIABLES } from "../lang/expressions.js";
import { compileGlob } from "../lang/glob.js";
import { isExpired, parseExpires } from "../lang/time/expires.js";

const EXPIRES_PATH: NodePath = ["metadata", "annotations", "expires"];

export function checkExpiry(policy: Policy, now: Date): Diagnostic[] {
  const expires = policy.annotations.expires;
  if (expires === undefined) return [];
  const parsed = parseExpires(expires);
  if (!parsed.ok)
    return [diagnosticAt(policy.origin, EXPIRES_PATH, "error", `annotations.expires: ${parsed.error}`)];
  if (!isExpired(parsed.value, now)) return [];
  const message = `policy ${policy.name} expired on ${expires.trim()} and is ignored`;
  return [diagnosticAt(policy.origin, EXPIRES_PATH, "warning", message)];
}

interface CheckedExpression {
  readsPlan: boolean;
}

/** Compiles one expression, reporting why it cannot be used; undefined when it cannot. */
function checkExpression(
  policy: Policy,
  path: NodePath,
  source: string | undefined,
  found: Diagnostic[],
): CheckedExpression | undefined {
  if (source === undefined) return undefined;
  const compiled = compileExpression(source);
  if (!compiled.ok) {
    found.push(diagnosticAt(policy.origin, path, "error", `invalid expression: ${compiled.error}`));
    return undefined;
  }
  const unknown = compiled.value.variables.filter((v) => !EXPRESSION_VARIABLES.includes(v));
  for (const variable of unknown) {
    const message = `unknown variable "${variable}" in expression${didYouMean(variable, EXPRESSION_VARIABLES)}`;
    found.push(diagnosticAt(policy.origin, path, "error", message));
  }
  return unknown.length > 0 ? undefined : { readsPlan: compiled.value.readsPlan };
}

function checkFieldSetExpressions(policy: Policy, set: FieldSet, found: Diagnostic[]): void {
  set.fields.approvalRules?.forEach((rule, i) => {
    checkExpression(policy, [...set.path, "approvalRules", i, "if"], rule.if, found);
  });
  checkExpression(policy, [...set.path, "autoMerge", "when"], set.fields.autoMerge?.when, found);
}

export function checkPolicyExpressions(policy: Policy): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const set of fieldSetsOf(policy)) checkFieldSetExpressions(policy, set, found);
  policy.flowControl.conditions?.forEach((condition, i) => {
    const conditionPath: NodePath = ["spec", "flowControl", "conditions", i];
    const checked = checkExpression(policy, [...conditionPath, "if"], condition.if, found);
    if (!checked?.readsPlan) return;
    // Before a plan exists these fields have already acted: a plan-reading condition cannot change them.
    for (const field of PRE_PLAN_FIELDS) {
      if (condition.then[field] === undefined) continue;
      const message =
        `this condition reads the plan ("${condition.if}"), so it cannot set ${field}: ` +
        `${field} acts before any plan exists`;
      found.push(diagnosticAt(policy.origin, [...conditionPath, "then", field], "error", message));
    }
  });
  return found;
}

// Configuration changes run no stack job and are never merged automatically (SPEC §2.3, §3 step 7).
const NOT_FOR_CONFIGURATION: ReadonlySet<string> = new Set([
  ...CONTROL_NAMES,
  "autoMerge",
  "timeouts",
  "planMaxAge",
  "verify",
  "onFailure",
  "progression",
  "rollout",
]);

/** Warnings for `platform` and `configuration` policies that set what cannot apply to them, and unmatched orgs. */
export function checkSelectorSense(policy: Policy, org: string | undefined): Diagnostic[] {
  const found: Diagnostic[] = [];
  const { kind, id } = policy.selector;
  if ((kind === "platform" || kind === "configuration") && id !== undefined) {
    const message = `selector id is ignored for kind ${kind}: ${kind} policies apply to every ${kind === "platform" ? "stack" : "configuration change"}`;
    found.push(diagnosticAt(policy.origin, ["spec", "selector", "id"], "warning", message));
  }
  if (kind === "configuration") {
    for (const set of fieldSetsOf(policy)) {
      for (const field of fieldsSet(set.fields)) {
        if (!NOT_FOR_CONFIGURATION.has(field)) continue;
        const message = `${field} has no effect for configuration changes: they run no stack job and never merge automatically`;
        found.push(diagnosticAt(policy.origin, [...set.path, field], "warning", message));
      }
    }
    policy.flowControl.conditions?.forEach((condition, i) => {
      const compiled = compileExpression(condition.if);
      if (!compiled.ok || !compiled.value.readsPlan) return;
      const message = "configuration changes have no plan: a condition reading the plan never holds here";
      found.push(
        diagnosticAt(policy.origin, ["spec", "flowControl", "conditions", i, "if"], "warning", message),
      );
    });
  }
  if (kind === "organization" && org !== undefined && id !== undefined && !compileGlob(id).test(org)) {
    const message = `selector id "${id}" does not match the organization "${org}": this policy never applies`;
    found.push(diagnosticAt(policy.origin, ["spec", "selector", "id"], "warning", message));
  }
  return found;
}

/** Two policies with one name in one source make provenance ambiguous. */
export function checkDuplicatePolicies(policies: readonly Policy[]): Diagnostic[] {
  const first = new Map<string, Policy>();
  const found: Diagnostic[] = [];
  for (const policy of policies) {
    const earlier = first.get(policy.name);
    if (!earlier) {
      first.set(policy.name, policy);
      continue;
    }
    const message = `duplicate policy name "${policy.name}": also used at ${describeLocation(earlier.origin, ["metadata", "name"])}; provenance would be ambiguous`;
    found.push(diagnosticAt(policy.origin, ["metadata", "name"], "warning", message));
  }
  return found;
}
