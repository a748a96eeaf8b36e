import type { Approvers, Permission } from "../../config/types.js";
import { isBotLogin } from "../../model/bots.js";
import { permissionAtLeast } from "./permission.js";

/** The facts about people that decide who may approve, keyed by lower-cased login (logins ignore case). */
export interface PeopleFacts {
  author: string;
  pushers: ReadonlySet<string>;
  permissions: ReadonlyMap<string, Permission | "none">;
  /** lower-cased team slug → lower-cased member logins */
  teamMembers: ReadonlyMap<string, ReadonlySet<string>>;
}

export function loginKey(login: string): string {
  return login.toLowerCase();
}

/** Builds case-insensitive lookups once from what the caller fetched. */
export function peopleFacts(input: {
  author: string;
  pushers: readonly string[];
  permissions: Readonly<Record<string, Permission | "none">>;
  teamMembers: Readonly<Record<string, readonly string[]>>;
}): PeopleFacts {
  const permissions = new Map<string, Permission | "none">();
  for (const [login, permission] of Object.entries(input.permissions)) {
    // Two spellings of one login with different permissions: keep the lower one (fail closed).
    const key = loginKey(login);
    const known = permissions.get(key);
    if (known === undefined || (known !== "none" && !permissionAtLeast(permission, known))) {
      permissions.set(key, permission);
    }
  }
  const teamMembers = new Map<string, ReadonlySet<string>>();
  for (const [team, members] of Object.entries(input.teamMembers)) {
    const key = team.toLowerCase();
    const set = new Set(teamMembers.get(key) ?? []);
    for (const member of members) set.add(loginKey(member));
    teamMembers.set(key, set);
  }
  return {
    author: loginKey(input.author),
    pushers: new Set(input.pushers.map(loginKey)),
    permissions,
    teamMembers,
  };
}

export function isBotPerson(login: string, isBot: boolean): boolean {
  return isBot || isBotLogin(login);
}

/**
 * Why this person may not approve (or reject) under these approvers, or undefined when they may.
 * Checks who the person is, never when they acted: timing is `timingRefusal`'s job.
 */
export function approverRefusal(
  person: { login: string; isBot: boolean },
  approvers: Approvers,
  facts: PeopleFacts,
  kind: "approve" | "reject" = "approve",
): string | undefined {
  const key = loginKey(person.login);
  if (isBotPerson(person.login, person.isBot))
    return kind === "approve" ? "bots cannot approve" : "bots cannot reject";
  if (!approvers.allowAuthor) {
    if (key === facts.author) return "author of the PR";
    if (facts.pushers.has(key)) return "pushed a commit to the PR";
  }
  const need = approvers.minPermission ?? "write";
  const have = facts.permissions.get(key) ?? "none";
  if (!permissionAtLeast(have, need)) return `needs ${need} permission, has ${have}`;
  return membershipRefusal(key, approvers, facts);
}

function membershipRefusal(key: string, approvers: Approvers, facts: PeopleFacts): string | undefined {
  const teams = approvers.fromTeams ?? [];
  const users = approvers.fromUsers ?? [];
  if (teams.length === 0 && users.length === 0) return undefined;
  if (users.some((user) => loginKey(user) === key)) return undefined;
  if (teams.some((team) => facts.teamMembers.get(team.toLowerCase())?.has(key))) return undefined;
  const named: string[] = [];
  if (teams.length > 0) named.push(`fromTeams [${teams.join(", ")}]`);
  if (users.length > 0) named.push(`fromUsers [${users.join(", ")}]`);
  return `not in ${named.join(" or ")}`;
}
