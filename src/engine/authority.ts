/**
 * Who may do what (SPEC §3, §3.2): pure checks over facts the app fetched (permission, team
 * memberships, organization ownership). Each answer carries a reason a person can read.
 */
import type { Approvers, BreakGlass, Gate, Permission } from "../config/types.js";
import { approverRefusal, type PeopleFacts } from "./approvals/eligibility.js";
import { permissionAtLeast } from "./approvals/permission.js";

export { permissionAtLeast };

export interface Decision {
  allowed: boolean;
  reason: string;
}

/** Team slugs compare without case, a leading `@` or an `org/` prefix: `@Acme/SRE` names team `sre`. */
function teamSlug(team: string): string {
  const bare = team.trim().replace(/^@/, "").toLowerCase();
  return bare.slice(bare.lastIndexOf("/") + 1);
}

function sameLogin(a: string, b: string): boolean {
  return a.replace(/^@/, "").toLowerCase() === b.replace(/^@/, "").toLowerCase();
}

/** Whether `who` is named by users/teams lists; the reason says through what. */
function namedIn(
  who: { login: string; teams: readonly string[] },
  users: readonly string[],
  teams: readonly string[],
  what: string,
): Decision {
  if (users.some((user) => sameLogin(user, who.login)))
    return { allowed: true, reason: `${who.login} is in ${what} users` };
  const mine = new Set(who.teams.map(teamSlug));
  const team = teams.find((t) => mine.has(teamSlug(t)));
  if (team !== undefined)
    return { allowed: true, reason: `${who.login} is a member of ${what} team ${team}` };
  const listed = [
    ...(teams.length > 0 ? [`teams [${teams.join(", ")}]`] : []),
    ...(users.length > 0 ? [`users [${users.join(", ")}]`] : []),
  ].join(" or ");
  return { allowed: false, reason: `${who.login} is not among ${what} ${listed}` };
}

/**
 * `/open-gate` and `/close-gate`: the gate's `openers` when it names any; otherwise admin or maintain
 * permission on the repository, and for `org:` gates the organization's owners.
 */
export function mayOpenGate(
  gate: Gate,
  who: { login: string; permission: Permission | "none"; teams: readonly string[]; isOrgOwner: boolean },
): Decision {
  const users = gate.openers?.users ?? [];
  const teams = gate.openers?.teams ?? [];
  if (users.length > 0 || teams.length > 0)
    return namedIn(who, users, teams, `the openers of gate ${gate.name}:`);
  if (gate.name.startsWith("org:")) {
    return who.isOrgOwner
      ? { allowed: true, reason: `${who.login} owns the organization` }
      : {
          allowed: false,
          reason: `only organization owners may open or close ${gate.name} (it names no openers)`,
        };
  }
  return permissionAtLeast(who.permission, "maintain")
    ? { allowed: true, reason: `${who.login} has ${who.permission} permission` }
    : {
        allowed: false,
        reason: `opening or closing ${gate.name} needs admin or maintain permission (it names no openers); ${who.login} has ${who.permission}`,
      };
}

/** `/override`: only the users and teams `breakGlass` allows; without `breakGlass` nobody. */
export function mayBreakGlass(
  bg: BreakGlass | undefined,
  who: { login: string; teams: readonly string[] },
): Decision {
  if (!bg) {
    return {
      allowed: false,
      reason:
        "break-glass is not configured for this change (only platform or organization policies can set breakGlass)",
    };
  }
  const users = bg.allowedUsers ?? [];
  const teams = bg.allowedTeams ?? [];
  if (users.length === 0 && teams.length === 0) {
    return {
      allowed: false,
      reason: "breakGlass names no allowedUsers or allowedTeams, so nobody may override",
    };
  }
  return namedIn(who, users, teams, "breakGlass allowed");
}

/** A `/plan` on a PR from a fork runs its code with our workflow: admin or maintain only (SPEC §3). */
export function mayPlanFork(permission: Permission | "none"): boolean {
  return permissionAtLeast(permission, "maintain");
}

/** `/apply` on a merged PR: by users eligible to approve that stack under its rule (SPEC §3.2). */
export function mayApply(
  who: { login: string; isBot: boolean },
  approvers: Approvers | null,
  people: PeopleFacts,
): Decision {
  if (!approvers)
    return { allowed: false, reason: "no approval rule matches this stack, so nobody may apply it" };
  const refusal = approverRefusal(who, approvers, people);
  return refusal
    ? { allowed: false, reason: `${who.login} may not apply this stack: ${refusal}` }
    : { allowed: true, reason: `${who.login} is eligible to approve this stack` };
}
