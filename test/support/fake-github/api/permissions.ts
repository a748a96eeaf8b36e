/** Repository permissions, team memberships and organization memberships. */
import { json, notFound, type Reply, type RequestContext, type Route } from "../router.js";
import type { RepoState, Role, Store } from "../state.js";

/** A user's role on a repository: explicit grant, else owner or organization owner → admin, else none (read if public). */
export function effectiveRole(store: Store, repo: RepoState, login: string): Role {
  const key = login.toLowerCase();
  const explicit = repo.permissions.get(key);
  if (explicit) return explicit;
  if (repo.owner.login.toLowerCase() === key) return "admin";
  if (store.orgs.get(repo.owner.login.toLowerCase())?.roles.get(key) === "admin") return "admin";
  return repo.private ? "none" : "read";
}

/** The legacy `permission` field folds maintain into write and triage into read; `role_name` keeps them. */
const LEGACY: Record<Role, string> = {
  admin: "admin",
  maintain: "write",
  write: "write",
  triage: "read",
  read: "read",
  none: "none",
};
const RANK: Role[] = ["none", "read", "triage", "write", "maintain", "admin"];

function permission(ctx: RequestContext): Reply {
  const repo = ctx.repo as RepoState;
  const login = ctx.params.username ?? "";
  const user = ctx.store.users.get(login.toLowerCase());
  if (!user) return notFound();
  const role = effectiveRole(ctx.store, repo, login);
  const at = (r: Role) => RANK.indexOf(role) >= RANK.indexOf(r);
  return json(200, {
    permission: LEGACY[role],
    role_name: role,
    user: {
      ...ctx.render.user(user),
      permissions: {
        admin: at("admin"),
        maintain: at("maintain"),
        push: at("write"),
        triage: at("triage"),
        pull: at("read"),
      },
      role_name: role,
    },
  });
}

/** Organization endpoints only answer for the organization the installation is on. */
function orgOf(ctx: RequestContext) {
  const login = (ctx.params.org ?? "").toLowerCase();
  if (ctx.caller.kind !== "installation") return undefined;
  const inst = ctx.store.installations.get(ctx.caller.installationId);
  if (inst?.account.login.toLowerCase() !== login) return undefined;
  return ctx.store.orgs.get(login);
}

function teamMembership(ctx: RequestContext): Reply {
  const org = orgOf(ctx);
  const team = org?.teams.get((ctx.params.team_slug ?? "").toLowerCase());
  const login = ctx.params.username ?? "";
  if (!org || !team?.members.has(login.toLowerCase())) return notFound();
  return json(200, {
    url: `${ctx.api}/teams/${team.id}/memberships/${login}`,
    role: "member",
    state: "active",
  });
}

function orgMembership(ctx: RequestContext): Reply {
  const org = orgOf(ctx);
  const login = ctx.params.username ?? "";
  const role = org?.roles.get(login.toLowerCase());
  const user = ctx.store.users.get(login.toLowerCase());
  if (!org || !role || !user) return notFound();
  const owner = ctx.store.users.get(org.login.toLowerCase());
  return json(200, {
    url: `${ctx.api}/orgs/${org.login}/memberships/${login}`,
    state: "active",
    role,
    organization_url: `${ctx.api}/orgs/${org.login}`,
    organization: {
      login: org.login,
      id: owner?.id ?? 0,
      node_id: owner?.nodeId ?? "",
      url: `${ctx.api}/orgs/${org.login}`,
    },
    user: ctx.render.user(user),
  });
}

export const permissionRoutes: Route[] = [
  {
    method: "GET",
    pattern: "/repos/:owner/:repo/collaborators/:username/permission",
    auth: "repo",
    handler: permission,
  },
  {
    method: "GET",
    pattern: "/orgs/:org/teams/:team_slug/memberships/:username",
    auth: "installation",
    handler: teamMembership,
  },
  {
    method: "GET",
    pattern: "/orgs/:org/memberships/:username",
    auth: "installation",
    handler: orgMembership,
  },
];
