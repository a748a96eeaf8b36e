/**
 * The HTTP side: authentication, repository access, injected faults, rate limits, conditional
 * requests (ETag / If-None-Match → 304) and the request log, around the routed handlers.
 */
import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { authenticate, type JwtPolicy } from "./auth.js";
import type { Faults } from "./faults.js";
import type { FakeOAuth } from "./oauth.js";
import type { RateLimits, Resource } from "./rate-limit.js";
import type { Renderer } from "./render.js";
import { type Caller, type Effects, error, type Reply, type RequestContext, type Router } from "./router.js";
import type { RepoState, Store } from "./state.js";

export interface RequestRecord {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
  /** the installation whose token made the request; null for app JWTs and unauthenticated calls */
  installationId: number | null;
  /** counted against the rate limit (every authenticated answer except 304s and refusals) */
  charged: boolean;
  /** answered by an injected fault */
  fault: boolean;
  at: Date;
}

export interface ServerDeps {
  store: Store;
  render: Renderer;
  router: Router;
  effects: Effects;
  faults: Faults;
  rateLimits: RateLimits;
  jwt: () => JwtPolicy;
  now: () => Date;
  log: RequestRecord[];
  /** how many request records to keep */
  logLimit: number;
  /** ETags differ from one token to the next (GitHub's do) */
  etagPerToken: boolean;
  /** serves `/_blobs/...` downloads (artifact zips), which need no authentication */
  blob: (path: string) => Reply;
  /** the app's user authorization and `/user` endpoints (user-to-server tokens) */
  oauth: FakeOAuth;
  /** handler crashes: a bug in the fake, surfaced to tests */
  internalErrors: Error[];
}

export function startServer(deps: ServerDeps, port: number): Promise<{ server: Server; url: string }> {
  let api = "";
  const server = createServer((req, res) => {
    readBody(req)
      .then((raw) => respond(deps, api, req, raw))
      .then(({ reply, record }) => {
        deps.log.push(record);
        // long soak runs: keep the newest entries only
        if (deps.log.length > deps.logLimit * 1.1) deps.log.splice(0, deps.log.length - deps.logLimit);
        send(res, reply);
      })
      .catch((cause: unknown) => {
        deps.internalErrors.push(cause instanceof Error ? cause : new Error(String(cause)));
        send(res, error(500, "fake GitHub internal error"));
      });
  });
  // webhook deliveries and Octokit keep connections alive; don't let that hold stop() up
  server.keepAliveTimeout = 1000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const { port: bound } = server.address() as AddressInfo;
      api = `http://127.0.0.1:${bound}`;
      resolve({ server, url: api });
    });
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  let payload: Uint8Array | string = "";
  if (reply.raw) {
    payload = reply.raw.bytes;
    headers["content-type"] = reply.raw.contentType;
  } else if (reply.body !== undefined && reply.status !== 204 && reply.status !== 304) {
    payload = JSON.stringify(reply.body);
    headers["content-type"] = "application/json; charset=utf-8";
  }
  headers["content-length"] = String(
    typeof payload === "string" ? Buffer.byteLength(payload) : payload.byteLength,
  );
  res.writeHead(reply.status, headers);
  res.end(payload);
}

interface Outcome {
  reply: Reply;
  record: RequestRecord;
}

async function respond(deps: ServerDeps, api: string, req: IncomingMessage, raw: string): Promise<Outcome> {
  const now = deps.now();
  const method = (req.method ?? "GET").toUpperCase();
  const url = new URL(req.url ?? "/", api);
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname;
  const record: RequestRecord = {
    method,
    path,
    query: Object.fromEntries(url.searchParams),
    body: parseJson(raw),
    status: 0,
    installationId: null,
    charged: false,
    fault: false,
    at: now,
  };
  const finish = (reply: Reply): Outcome => {
    record.status = reply.status;
    return { reply: withCommonHeaders(reply, now), record };
  };

  if (path.startsWith("/_blobs/")) return finish(deps.blob(path));
  const oauth = deps.oauth.handle({
    method,
    path,
    query: url.searchParams,
    raw,
    authorization: header(req, "authorization"),
  });
  if (oauth) return finish(oauth);

  const auth = authenticate(deps.store, header(req, "authorization"), now, deps.jwt());
  if (!auth.ok) {
    // GitHub answers unauthenticated callers from the anonymous limit of 60 an hour
    const anonymous = {
      "x-ratelimit-limit": "60",
      "x-ratelimit-remaining": "60",
      "x-ratelimit-used": "0",
      "x-ratelimit-reset": String(Math.ceil(now.getTime() / 1000) + 3600),
      "x-ratelimit-resource": "core",
    };
    return finish({ ...error(401, auth.message), headers: anonymous });
  }
  const caller = auth.caller;
  if (caller.kind === "installation") record.installationId = caller.installationId;

  const found = deps.router.match(method, path);
  if ("status" in found) return finish(error(404, "Not Found"));
  const { route, params } = found;

  const access = checkAccess(deps.store, caller, route.auth, params);
  if (access && "status" in access) return finish(access);
  const repo = access;

  const resource: Resource = path === "/graphql" ? "graphql" : "core";
  const fault = deps.faults.decide(method, path);
  if (fault) {
    record.fault = true;
    record.charged = true;
    deps.rateLimits.charge(caller, resource, now.getTime());
    return finish(withRateHeaders(deps, caller, resource, now, fault));
  }
  if (deps.rateLimits.exhausted(caller, resource, now.getTime())) {
    const who = caller.kind === "app" ? "the app" : `installation ID ${caller.installationId}`;
    return finish(
      withRateHeaders(deps, caller, resource, now, error(403, `API rate limit exceeded for ${who}.`)),
    );
  }
  if (raw.trim() !== "" && record.body === undefined) {
    return finish(withRateHeaders(deps, caller, resource, now, error(400, "Problems parsing JSON")));
  }

  const ctx: RequestContext = {
    store: deps.store,
    render: deps.render,
    effects: deps.effects,
    params,
    path,
    query: url.searchParams,
    body: record.body,
    headers: req.headers,
    caller,
    api,
    now,
    ...(repo ? { repo } : {}),
  };
  let reply = route.handler(ctx);
  if (method === "GET" && reply.status === 200) {
    const token = deps.etagPerToken ? (header(req, "authorization") ?? "") : "";
    reply = conditional(reply, header(req, "if-none-match"), token);
  }
  if (reply.status !== 304) {
    record.charged = true;
    deps.rateLimits.charge(caller, resource, now.getTime());
  }
  return finish(withRateHeaders(deps, caller, resource, now, reply));
}

/** Token kind and repository access; returns the repository for `repo` routes, or the refusal. */
function checkAccess(
  store: Store,
  caller: Caller,
  auth: "app" | "installation" | "repo",
  params: Record<string, string>,
): RepoState | undefined | Reply {
  if (auth === "app") {
    return caller.kind === "app" ? undefined : error(401, "A JSON web token could not be decoded");
  }
  if (caller.kind !== "installation") return error(403, "Resource not accessible by integration");
  if (auth === "installation") return undefined;
  const repo = store.findRepo(params.owner ?? "", params.repo ?? "");
  const visible =
    repo &&
    repo.installationId === caller.installationId &&
    (caller.repositoryIds === null || caller.repositoryIds.has(repo.id));
  return visible ? repo : error(404, "Not Found");
}

function conditional(reply: Reply, ifNoneMatch: string | undefined, token: string): Reply {
  const content = reply.raw ? reply.raw.bytes : JSON.stringify(reply.body);
  const etag = `"${createHash("sha256").update(content).update(token).digest("hex").slice(0, 40)}"`;
  const headers = { ...reply.headers, etag, vary: "Accept, Authorization, Cookie, X-GitHub-OTP" };
  const wanted = (ifNoneMatch ?? "").split(",").map((t) => t.trim().replace(/^W\//, ""));
  if (wanted.includes(etag)) return { status: 304, headers };
  return { ...reply, headers };
}

function withRateHeaders(
  deps: ServerDeps,
  caller: Caller,
  resource: Resource,
  now: Date,
  reply: Reply,
): Reply {
  return {
    ...reply,
    headers: { ...reply.headers, ...deps.rateLimits.headers(caller, resource, now.getTime()) },
  };
}

function withCommonHeaders(reply: Reply, now: Date): Reply {
  return {
    ...reply,
    headers: {
      date: now.toUTCString(),
      "x-github-request-id": randomUUID().toUpperCase(),
      "x-github-api-version-selected": "2022-11-28",
      "x-github-media-type": "github.v3; format=json",
      ...reply.headers,
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(raw: string): unknown {
  if (raw.trim() === "") return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}
