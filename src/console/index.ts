/**
 * The flowgate console: sign-in with the GitHub App's user authorization, pages under `/console`,
 * JSON under `/api/v1`. Returns a request handler that answers its own paths and says `false` for
 * everything else, so the app's web server stays as it is.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { summarizeUsage } from "../cli/usage-report.js";
import type { Runtime } from "../runtime/runtime.js";
import { actOnJob, type JobAction } from "./actions.js";
import { applyPending, gateAction, handleApi } from "./api.js";
import { CSS, JS } from "./assets.js";
import { auditEntries } from "./audit.js";
import { type Filters, gateRows, waitingItems } from "./data.js";
import { header, readBody, redirect, sendHtml, sendJson } from "./http.js";
import { GitHubIdentity, type Person } from "./identity.js";
import { pipeline, recentPipelines } from "./pipelines.js";
import { pullView } from "./pulls.js";
import { cookies, SESSION_COOKIE, type Session, Sessions, STATE_COOKIE, sameToken } from "./session.js";
import { type ConsoleSettings, readConsoleSettings } from "./settings.js";
import * as views from "./views.js";

export type ConsoleHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export function createConsole(
  rt: Runtime,
  opts: { baseUrl?: string; settings?: ConsoleSettings },
): ConsoleHandler {
  const settings = opts.settings ?? readConsoleSettings();
  const identity = new GitHubIdentity(
    rt.redis,
    opts.baseUrl ?? "https://api.github.com",
    settings.visibilityTtlSeconds,
  );
  const sessions = new Sessions(rt.redis, settings.sessionSecret, settings.sessionTtlSeconds);
  const secure = settings.publicUrl?.startsWith("https:") ?? false;
  const origin = (req: IncomingMessage) =>
    settings.publicUrl ?? `http://${header(req, "host") ?? "localhost"}`;

  /** The person a session belongs to; undefined when the session is gone or GitHub no longer accepts the token. */
  const personOf = async (session: Session | undefined): Promise<Person | undefined> =>
    session ? identity.person(session.token) : undefined;

  /** A POST from a form of ours: the session's form token, and an Origin (when sent) of our own. */
  const csrfOk = (req: IncomingMessage, session: Session, token: string | undefined): boolean => {
    const from = header(req, "origin");
    if (from !== undefined && from !== origin(req)) return false;
    return sameToken(token, session.csrf);
  };

  return async (req, res) => {
    try {
      return await handle(req, res);
    } catch (error) {
      // GitHub or Redis failing mid-request: say so and what to do, never a bare stack trace.
      rt.log.warn({ err: error }, `console: ${req.method} ${req.url} failed`);
      if (res.headersSent) {
        res.end();
        return true;
      }
      const text = `flowgate could not answer (${(error as Error).message}). GitHub or flowgate's Redis may be unreachable; try again in a moment, and check /readyz.`;
      if ((req.url ?? "").startsWith("/api/")) sendJson(res, 502, { error: text });
      else sendHtml(res, 502, views.page("Unavailable", views.failure(text)));
      return true;
    }
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? "/", "http://console.invalid");
    const path = url.pathname;
    const method = req.method ?? "GET";
    if (method === "GET" && path === "/") {
      redirect(res, "/console");
      return true;
    }
    if (path.startsWith("/api/v1/") || path === "/api/v1") {
      await api(req, res, url);
      return true;
    }
    if (path !== "/console" && !path.startsWith("/console/")) return false;
    if (path === "/console/assets/app.css" || path === "/console/assets/app.js") {
      const css = path.endsWith(".css");
      res.writeHead(200, {
        "content-type": css ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8",
        "cache-control": "public, max-age=300",
        "x-content-type-options": "nosniff",
      });
      res.end(css ? CSS : JS);
      return true;
    }
    if (!settings.clientId || !settings.clientSecret) {
      sendHtml(res, 503, views.notConfigured());
      return true;
    }
    if (path === "/console/login") {
      const state = randomBytes(18).toString("base64url");
      const target = identity.authorizeUrl(settings.clientId, `${origin(req)}/console/callback`, state);
      redirect(res, target, [sessions.cookie(STATE_COOKIE, state, secure, 600)]);
      return true;
    }
    if (path === "/console/callback") {
      await callback(req, res, url, settings.clientId, settings.clientSecret);
      return true;
    }
    const session = await sessions.fromRequest(req);
    const person = await personOf(session);
    if (!session || !person) {
      if (method === "GET") sendHtml(res, 401, views.signIn());
      else sendHtml(res, 403, views.signIn("Your session has ended: sign in again, then repeat the action."));
      return true;
    }
    if (method === "POST") {
      const body = await readBody(req);
      if (!body || !csrfOk(req, session, body._csrf)) {
        sendHtml(res, 403, views.page("Refused", views.html403(), ctx(session, "waiting")));
        return true;
      }
      await post(req, res, path, body, session, person);
      return true;
    }
    await get(req, res, url, session, person);
    return true;
  }

  function ctx(
    session: Session,
    active: views.PageContext["active"],
    notice?: views.PageContext["notice"],
  ): views.PageContext {
    return { login: session.login, csrf: session.csrf, active, ...(notice ? { notice } : {}) };
  }

  async function callback(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    clientId: string,
    clientSecret: string,
  ) {
    const expected = sessions.unsign(cookies(req)[STATE_COOKIE]);
    const state = url.searchParams.get("state") ?? "";
    const code = url.searchParams.get("code") ?? "";
    const clearState = sessions.cookie(STATE_COOKIE, "", secure, 0);
    if (!expected || !sameToken(state, expected) || !code) {
      sendHtml(
        res,
        400,
        views.signIn("The sign-in could not be confirmed (its state did not match). Please try again."),
        {
          "set-cookie": clearState,
        },
      );
      return;
    }
    try {
      const token = await identity.exchange(clientId, clientSecret, code, `${origin(req)}/console/callback`);
      const person = await identity.person(token);
      if (!person) throw new Error("GitHub did not accept the new token");
      const session = await sessions.create(person.login, token);
      redirect(res, "/console", [clearState, sessions.cookie(SESSION_COOKIE, session.id, secure)]);
    } catch (error) {
      rt.log.warn({ err: error }, "console sign-in failed");
      sendHtml(res, 502, views.signIn(`GitHub refused the sign-in: ${(error as Error).message}`), {
        "set-cookie": clearState,
      });
    }
  }

  async function get(req: IncomingMessage, res: ServerResponse, url: URL, session: Session, person: Person) {
    const q = (k: string) => url.searchParams.get(k) || undefined;
    const partial = header(req, "x-flowgate-partial") === "1";
    const show = (title: string, body: views.Safe, active: views.PageContext["active"]) =>
      partial
        ? sendHtml(res, 200, body.value)
        : sendHtml(res, 200, views.page(title, body, ctx(session, active)));
    switch (url.pathname.replace(/\/+$/, "")) {
      case "/console": {
        const filters: Filters = {
          ...(q("repo") ? { repo: q("repo") } : {}),
          ...(q("env") ? { env: q("env") } : {}),
          ...(q("stack") ? { stack: q("stack") } : {}),
        };
        const all = await waitingItems(rt, person);
        const items = Object.keys(filters).length ? await waitingItems(rt, person, filters) : all;
        return show("Waiting on people", views.waitingBody(items, all, filters, session.csrf), "waiting");
      }
      case "/console/pulls": {
        const view = await pullView(rt, person, q("repo") ?? "", Number(q("number")));
        if (!view)
          return sendHtml(res, 404, views.page("Not found", views.notFound(), ctx(session, "waiting")));
        return show(`PR #${view.number}`, views.pullBody(view), "waiting");
      }
      case "/console/gates":
        return show("Gates", views.gatesBody(await gateRows(rt, person), session.csrf), "gates");
      case "/console/pipelines": {
        const repo = q("repo");
        const sha = q("sha");
        if (repo && sha) {
          const nodes = await pipeline(rt, person, repo, sha);
          if (!nodes)
            return sendHtml(res, 404, views.page("Not found", views.notFound(), ctx(session, "pipelines")));
          return show("Pipeline", views.pipelineBody(repo, sha, nodes, session.csrf), "pipelines");
        }
        return show("Pipelines", views.pipelinesBody(await recentPipelines(rt, person)), "pipelines");
      }
      case "/console/audit": {
        const f = auditFilters(url);
        return show("Audit", views.auditBody(await auditEntries(rt, person, f), f), "audit");
      }
      case "/console/usage": {
        const days = Math.min(365, Math.max(1, Number(q("days")) || 7));
        const entries = await auditEntries(rt, person, { sinceHours: days * 24 });
        return show("Usage", views.usageBody(summarizeUsage([...entries].reverse()), days), "usage");
      }
      case "/console/audit.jsonl": {
        const entries = await auditEntries(rt, person, auditFilters(url));
        res.writeHead(200, {
          "content-type": "application/x-ndjson",
          "content-disposition": 'attachment; filename="flowgate-audit.jsonl"',
          "cache-control": "no-store",
        });
        return res.end(entries.map((e) => JSON.stringify(e)).join("\n") + (entries.length ? "\n" : ""));
      }
      default:
        return sendHtml(res, 404, views.page("Not found", views.notFound(), ctx(session, "waiting")));
    }
  }

  async function post(
    _req: IncomingMessage,
    res: ServerResponse,
    path: string,
    body: Record<string, string>,
    session: Session,
    person: Person,
  ) {
    if (path === "/console/logout") {
      await sessions.destroy(session.id);
      return redirect(res, "/console", [sessions.cookie(SESSION_COOKIE, "", secure, 0)]);
    }
    if (path === "/console/gates") {
      const [, reply] = await gateAction(rt, person, body);
      const rows = await gateRows(rt, person);
      return sendHtml(
        res,
        reply.ok ? 200 : 403,
        views.page(
          "Gates",
          views.gatesBody(rows, session.csrf),
          ctx(session, "gates", { ok: reply.ok, text: reply.message }),
        ),
      );
    }
    if (path === "/console/apply-pending") {
      const [, outcome] = await applyPending(rt, person, body.env, body.repo);
      const text = outcome.results.length
        ? outcome.results
            .map((r) => `${r.repo} ${r.stack}: ${r.message.replace(/\s*\n[-\s]*/g, " ").trim()}`)
            .join("; ")
        : (outcome.message ?? `nothing pending in ${body.env} that you can see`);
      const all = await waitingItems(rt, person);
      return sendHtml(
        res,
        outcome.ok ? 200 : 403,
        views.page(
          "Waiting on people",
          views.waitingBody(all, all, {}, session.csrf),
          ctx(session, "waiting", { ok: outcome.ok, text }),
        ),
      );
    }
    const job = /^\/console\/jobs\/(approve|apply|retry|cancel)$/.exec(path);
    if (job && body.job) {
      const reply = await actOnJob(rt, person, body.job, job[1] as JobAction);
      const all = await waitingItems(rt, person);
      return sendHtml(
        res,
        reply.ok ? 200 : 403,
        views.page(
          "Waiting on people",
          views.waitingBody(all, all, {}, session.csrf),
          ctx(session, "waiting", { ok: reply.ok, text: reply.message }),
        ),
      );
    }
    return sendHtml(res, 404, views.page("Not found", views.notFound(), ctx(session, "waiting")));
  }

  async function api(req: IncomingMessage, res: ServerResponse, url: URL) {
    const bearer = /^(?:bearer|token)\s+(\S+)$/i.exec(header(req, "authorization")?.trim() ?? "")?.[1];
    let person: Person | undefined;
    if (bearer) {
      person = await identity.person(bearer).catch(() => undefined);
      if (!person)
        return sendJson(res, 401, {
          error: "GitHub does not accept this token; sign in again or use `gh auth token`",
        });
    } else {
      const session = await sessions.fromRequest(req);
      person = await personOf(session);
      if (!session || !person)
        return sendJson(res, 401, {
          error: "authenticate with a session or `Authorization: Bearer <GitHub token>`",
        });
      // A cookie is sent by the browser on its own: a POST must prove it comes from our page.
      if (req.method !== "GET" && !csrfOk(req, session, header(req, "x-csrf-token")))
        return sendJson(res, 403, { error: "missing or wrong x-csrf-token for a session request" });
    }
    await handleApi(rt, person, req, res, url);
  }
}

function auditFilters(url: URL) {
  const q = (k: string) => url.searchParams.get(k) || undefined;
  const hours = Number(q("sinceHours"));
  return {
    ...(q("repo") ? { repo: q("repo")! } : {}),
    ...(q("stack") ? { stack: q("stack")! } : {}),
    ...(q("actor") ? { actor: q("actor")! } : {}),
    ...(q("type") ? { type: q("type")! } : {}),
    ...(Number.isFinite(hours) && hours > 0 ? { sinceHours: hours } : {}),
  };
}
