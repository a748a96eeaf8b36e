import type { ApprovalRule, Permission } from "../../config/types.js";
import type { GitHubPort } from "../../github/port.js";
import type { Runtime } from "../../runtime/runtime.js";
import { keys } from "../../state/keys.js";
import type { PullRecord } from "../../state/pulls.js";

export interface PeopleFacts {
  permissions: Record<string, Permission | "none">;
  teamMembers: Record<string, string[]>;
}

/** Permission of one person on the repository, cached briefly (SPEC §3.2). */
export function permissionOf(
  rt: Runtime,
  port: GitHubPort,
  repoId: number,
  login: string,
): Promise<Permission | "none"> {
  return rt.facts.get(keys.permission(repoId, login), () => port.getPermission(login));
}

export async function isTeamMember(
  rt: Runtime,
  port: GitHubPort,
  org: string,
  team: string,
  login: string,
): Promise<boolean> {
  // Teams may be written `org/team` or `@org/team`; membership is always asked of the repository owner's org.
  const slug = team.replace(/^@/, "").split("/").at(-1) ?? team;
  return rt.facts.get(keys.team(org, slug, login), () => port.isTeamMember(org, slug, login));
}

export function teamsOf(rules: readonly (ApprovalRule | null)[]): string[] {
  const teams = new Set<string>();
  for (const rule of rules) for (const t of rule?.approvers.fromTeams ?? []) teams.add(t);
  return [...teams];
}

/**
 * The facts approval counting needs about the people involved: their permission and, for the
 * teams the rules name, whether they belong. Only people who approved or rejected are looked up.
 */
export async function gatherPeople(
  rt: Runtime,
  port: GitHubPort,
  repoId: number,
  org: string,
  logins: Iterable<string>,
  teams: readonly string[],
): Promise<PeopleFacts> {
  const unique = [...new Set([...logins].map((l) => l))];
  const permissions: Record<string, Permission | "none"> = {};
  const teamMembers: Record<string, string[]> = {};
  for (const team of teams) teamMembers[team] = [];
  await Promise.all(
    unique.map(async (login) => {
      permissions[login] = await permissionOf(rt, port, repoId, login);
      for (const team of teams)
        if (await isTeamMember(rt, port, org, team, login)) teamMembers[team]!.push(login);
    }),
  );
  return { permissions, teamMembers };
}

/**
 * Everyone who counts as an author of the PR's head (SPEC §3.1): the PR author, every pusher, and the
 * GitHub users behind its commits' author and committer — a commit pushed by a bot (a workflow's
 * `GITHUB_TOKEN`) on someone's behalf is theirs. The commits are listed once per head, and only when
 * someone outside the known authors approves: nobody's approval needs refusing before that.
 */
export async function authorsOfHead(
  rt: Runtime,
  port: GitHubPort,
  record: PullRecord,
  approvers: readonly string[],
): Promise<string[]> {
  const known = new Set([record.facts.author, ...record.pushers].map((l) => l.toLowerCase()));
  const outsiders = approvers.filter((l) => !known.has(l.toLowerCase()));
  if (outsiders.length === 0 || record.pushersListedFor === record.facts.headSha) return record.pushers;
  const committers = await port.listPullPushers(record.facts.number);
  const { repoId } = record.repo;
  const updated = await rt.pulls.records.update(`${repoId}:${record.facts.number}`, (doc) => ({
    ...doc,
    pushers: [...new Set([...doc.pushers, ...committers])],
    ...(doc.facts.headSha === record.facts.headSha ? { pushersListedFor: record.facts.headSha } : {}),
  }));
  return updated?.doc.pushers ?? [...new Set([...record.pushers, ...committers])];
}
