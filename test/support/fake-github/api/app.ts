/** App authentication endpoints: the app itself, its installations and installation tokens. */
import { issueToken } from "../auth.js";
import {
  bodyObject,
  error,
  intParam,
  json,
  notFound,
  paginate,
  type RequestContext,
  type Route,
} from "../router.js";
import type { RepoState } from "../state.js";
import { iso } from "../state.js";

function installationRepos(ctx: RequestContext, installationId: number): RepoState[] {
  return [...ctx.store.repos.values()].filter((r) => r.installationId === installationId);
}

function createToken(ctx: RequestContext) {
  const id = intParam(ctx, "installation_id");
  const inst = id === undefined ? undefined : ctx.store.installations.get(id);
  if (!inst) return notFound();
  if (inst.suspended) return error(403, "This installation has been suspended");
  const body = bodyObject(ctx) ?? {};
  const all = installationRepos(ctx, inst.id);
  let scoped: RepoState[] | null = null;
  if (Array.isArray(body.repositories) || Array.isArray(body.repository_ids)) {
    const names = Array.isArray(body.repositories) ? body.repositories.map(String) : [];
    const ids = Array.isArray(body.repository_ids) ? body.repository_ids.map(Number) : [];
    scoped = all.filter((r) => names.includes(r.name) || ids.includes(r.id));
    if (scoped.length !== names.length + ids.length) {
      return error(
        422,
        "There is at least one repository that does not exist or is not accessible to the parent installation.",
      );
    }
  }
  const expiresAt = ctx.now.getTime() + ctx.store.tokenTtlMs;
  const token = issueToken(ctx.store, inst.id, expiresAt, scoped ? new Set(scoped.map((r) => r.id)) : null);
  const rendered = ctx.render.installation(inst);
  return json(201, {
    token: token.token,
    expires_at: iso(new Date(expiresAt)),
    permissions: body.permissions ?? rendered.permissions,
    repository_selection: scoped ? "selected" : "all",
    ...(scoped ? { repositories: scoped.map((r) => ctx.render.repo(r)) } : {}),
  });
}

export const appRoutes: Route[] = [
  { method: "GET", pattern: "/app", auth: "app", handler: (ctx) => json(200, ctx.render.app()) },
  {
    method: "GET",
    pattern: "/app/installations",
    auth: "app",
    handler: (ctx) =>
      paginate(
        ctx,
        [...ctx.store.installations.values()].map((i) => ctx.render.installation(i)),
      ),
  },
  {
    method: "GET",
    pattern: "/app/installations/:installation_id",
    auth: "app",
    handler: (ctx) => {
      const id = intParam(ctx, "installation_id");
      const inst = id === undefined ? undefined : ctx.store.installations.get(id);
      return inst ? json(200, ctx.render.installation(inst)) : notFound();
    },
  },
  {
    method: "POST",
    pattern: "/app/installations/:installation_id/access_tokens",
    auth: "app",
    handler: createToken,
  },
  {
    method: "GET",
    pattern: "/repos/:owner/:repo/installation",
    auth: "app",
    handler: (ctx) => {
      const repo = ctx.store.findRepo(ctx.params.owner ?? "", ctx.params.repo ?? "");
      const inst = repo ? ctx.store.installations.get(repo.installationId) : undefined;
      return inst ? json(200, ctx.render.installation(inst)) : notFound();
    },
  },
  {
    method: "GET",
    pattern: "/installation/repositories",
    auth: "installation",
    handler: (ctx) => {
      if (ctx.caller.kind !== "installation") return notFound();
      const { installationId, repositoryIds } = ctx.caller;
      const repos = installationRepos(ctx, installationId).filter(
        (r) => !repositoryIds || repositoryIds.has(r.id),
      );
      return paginate(ctx, repos, (page, total) => ({
        total_count: total,
        repository_selection: repositoryIds ? "selected" : "all",
        repositories: page.map((r) => ctx.render.repo(r)),
      }));
    },
  },
];
