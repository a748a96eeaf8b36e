/**
 * A small table-driven router: `GET /repos/:owner/:repo/pulls/:number` style patterns, a trailing
 * `*name` matches the rest of the path (content paths, branch names with slashes).
 */
import type { Renderer } from "./render.js";
import type { PullState, RepoState, RunState, Store } from "./state.js";

/** Who a request was made as: the app (JWT) or one installation (its token). */
export type Caller =
  | { kind: "app" }
  | { kind: "installation"; installationId: number; repositoryIds: Set<number> | null };

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** raw bytes instead of JSON */
  raw?: { bytes: Uint8Array | string; contentType: string };
}

/** Side effects the fake performs after a request, implemented by FakeGitHub. */
export interface Effects {
  pullMerged(pull: PullState, before: string, after: string): void;
  runCreated(run: RunState): void;
  runCancelled(run: RunState): void;
  checksChanged(repo: RepoState): void;
  /** opens a pull request as the app (POST /pulls), sending its webhook */
  openPull(input: Parameters<FakeWorldOpenPull>[0]): PullState;
}

type FakeWorldOpenPull = (input: {
  repo: string;
  head: { ref: string; sha?: string };
  base?: string;
  user: string;
  title?: string;
  body?: string;
}) => PullState;

export interface RequestContext {
  store: Store;
  render: Renderer;
  effects: Effects;
  params: Record<string, string>;
  /** the request path, without the query */
  path: string;
  query: URLSearchParams;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  caller: Caller;
  /** the API base URL */
  api: string;
  now: Date;
  /** what the handler learnt about the request, for the request log */
  repo?: RepoState;
}

export type Handler = (ctx: RequestContext) => Reply;

export interface Route {
  method: string;
  pattern: string;
  /** `app`: JWT only; `installation`: installation token only; `repo`: installation token with access to `:owner/:repo` */
  auth: "app" | "installation" | "repo";
  handler: Handler;
}

interface CompiledRoute extends Route {
  parts: string[];
}

export class Router {
  private readonly routes: CompiledRoute[] = [];

  add(routes: Route[]): this {
    for (const route of routes)
      this.routes.push({ ...route, parts: route.pattern.split("/").filter(Boolean) });
    return this;
  }

  /** The route and its decoded params, or why none matched (404 path, 405 method). */
  match(method: string, path: string): { route: Route; params: Record<string, string> } | { status: 404 } {
    const segments = path.split("/").filter(Boolean);
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const params = matchParts(route.parts, segments);
      if (params) return { route, params };
    }
    return { status: 404 };
  }
}

function matchParts(parts: string[], segments: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (part.startsWith("*")) {
      const rest = segments.slice(i);
      params[part.slice(1)] = rest.map(safeDecode).join("/");
      return params;
    }
    const segment = segments[i];
    if (segment === undefined) return undefined;
    if (part.startsWith(":")) params[part.slice(1)] = safeDecode(segment);
    else if (part !== segment) return undefined;
  }
  return segments.length === parts.length ? params : undefined;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return headers ? { status, body, headers } : { status, body };
}

const DOCS = "https://docs.github.com/rest";

/** GitHub's error body: `{ message, documentation_url, status }`. */
export function error(status: number, message: string, extra?: Record<string, unknown>): Reply {
  return { status, body: { message, documentation_url: DOCS, status: String(status), ...extra } };
}

export const notFound = (): Reply => error(404, "Not Found");

/**
 * Pages a list the way GitHub does: `per_page` (default 30, max 100), `page`, and a `Link` header
 * with absolute URLs. `wrap` puts the page into an object such as `{ total_count, check_runs }`.
 */
export function paginate<T>(
  ctx: RequestContext,
  items: T[],
  wrap?: (page: T[], total: number) => unknown,
): Reply {
  const perPage = Math.min(100, Math.max(1, Number.parseInt(ctx.query.get("per_page") ?? "30", 10) || 30));
  const page = Math.max(1, Number.parseInt(ctx.query.get("page") ?? "1", 10) || 1);
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const links: string[] = [];
  const link = (n: number, rel: string) => {
    const query = new URLSearchParams(ctx.query);
    query.set("per_page", String(perPage));
    query.set("page", String(n));
    links.push(`<${ctx.api}${ctx.path}?${query.toString()}>; rel="${rel}"`);
  };
  if (page > 1) link(page - 1, "prev");
  if (page < last) link(page + 1, "next");
  if (page < last) link(last, "last");
  if (page > 1) link(1, "first");
  const headers: Record<string, string> = links.length > 0 ? { link: links.join(", ") } : {};
  return { status: 200, body: wrap ? wrap(slice, items.length) : slice, headers };
}

export function intParam(ctx: RequestContext, name: string): number | undefined {
  const raw = ctx.params[name];
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
}

/** The JSON body as an object, or undefined when it is not one. */
export function bodyObject(ctx: RequestContext): Record<string, unknown> | undefined {
  const body = ctx.body;
  return body !== null && typeof body === "object" && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : undefined;
}
