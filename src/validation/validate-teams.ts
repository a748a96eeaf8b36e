/**
 * Teams are asked of the repository owner's organization. A team written `other-org/team` would be
 * looked up there under its slug alone, so a same-named team of another organization could count:
 * such a reference is refused, with its file and line.
 */
import { diagnosticAt } from "../config/diagnostics.js";
import { fieldSetsOf } from "../config/flow-fields.js";
import type { Diagnostic, DocOrigin, Gate, NodePath, Policy } from "../config/types.js";

function foreignOrg(team: string, org: string): string | undefined {
  const parts = team.replace(/^@/, "").split("/");
  if (parts.length < 2) return undefined;
  const owner = parts[0] ?? "";
  return owner.toLowerCase() === org.toLowerCase() ? undefined : owner;
}

function check(
  origin: DocOrigin,
  path: NodePath,
  teams: readonly string[] | undefined,
  org: string,
): Diagnostic[] {
  const found: Diagnostic[] = [];
  teams?.forEach((team, i) => {
    const other = foreignOrg(team, org);
    if (other === undefined) return;
    const message = `team "${team}" belongs to the organization "${other}", but flowgate checks teams in "${org}" only; name a team of ${org}`;
    found.push(diagnosticAt(origin, [...path, i], "error", message));
  });
  return found;
}

export function checkPolicyTeams(policy: Policy, org: string | undefined): Diagnostic[] {
  if (org === undefined) return [];
  const found: Diagnostic[] = [];
  for (const set of fieldSetsOf(policy)) {
    set.fields.approvalRules?.forEach((rule, i) => {
      found.push(
        ...check(
          policy.origin,
          [...set.path, "approvalRules", i, "approvers", "fromTeams"],
          rule.approvers.fromTeams,
          org,
        ),
      );
    });
    const allowed = set.fields.breakGlass?.allowedTeams;
    found.push(...check(policy.origin, [...set.path, "breakGlass", "allowedTeams"], allowed, org));
  }
  return found;
}

export function checkGateTeams(gate: Gate, org: string | undefined): Diagnostic[] {
  if (org === undefined) return [];
  return check(gate.origin, ["spec", "openers", "teams"], gate.openers?.teams, org);
}
