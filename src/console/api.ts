/**
 * `/api/v1`: the console's data and actions as JSON, for the console's own pages and for the CLI.
 * The caller is already known (session or GitHub token); every answer is limited to their repositories.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { summarizeUsage } from "../cli/usage-report.js";
import { parseDuration } from "../lang/time/duration.js";
import type { Runtime } from "../runtime/runtime.js";
import { actOnJob, type JobAction, toggleGate } from "./actions.js";
import { auditEntries } from "./audit.js";
import { gateRows, waitingItems } from "./data.js";
import { readBody, sendJson } from "./http.js";
import type { Person } from "./identity.js";
import { pipeline } from "./pipelines.js";
import { pullView } from "./pulls.js";

const JOB_ACTIONS = new Set<JobAction>(["approve", "apply", "retry", "cancel"]);

export async function handleApi(
  rt: Runtime,
  person: Person,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const path = url.pathname.replace(/\/+$/, "");
  const q = (k: string) => url.searchParams.get(k) || undefined;
  const method = req.method ?? "GET";
  if (method === "GET" && path === "/api/v1/me") {
    return sendJson(res, 200, {
      login: person.login,
      repositories: [...person.repos.values()].map((r) => `${r.owner}/${r.repo}`),
    });
  }
  if (method === "GET" && path === "/api/v1/waiting") {
    const filters = {
      ...(q("repo") ? { repo: q("repo") } : {}),
      ...(q("env") ? { env: q("env") } : {}),
      ...(q("stack") ? { stack: q("stack") } : {}),
    };
    return sendJson(res, 200, { items: await waitingItems(rt, person, filters) });
  }
  if (method === "GET" && path === "/api/v1/gates")
    return sendJson(res, 200, { gates: await gateRows(rt, person) });
  if (method === "GET" && path === "/api/v1/audit") {
    const hours = Number(q("sinceHours"));
    const entries = await auditEntries(rt, person, {
      ...(q("repo") ? { repo: q("repo") } : {}),
      ...(q("stack") ? { stack: q("stack") } : {}),
      ...(q("actor") ? { actor: q("actor") } : {}),
      ...(q("type") ? { type: q("type") } : {}),
      ...(Number.isFinite(hours) && hours > 0 ? { sinceHours: hours } : {}),
    });
    return sendJson(res, 200, { entries });
  }
  if (method === "GET" && path === "/api/v1/usage") {
    const days = Math.min(365, Math.max(1, Number(q("days")) || 7));
    const entries = await auditEntries(rt, person, { sinceHours: days * 24 });
    return sendJson(res, 200, { days, usage: summarizeUsage([...entries].reverse()) });
  }
  const pr = /^\/api\/v1\/pulls\/([^/]+)\/([^/]+)\/(\d+)$/.exec(path);
  if (method === "GET" && pr) {
    const view = await pullView(rt, person, `${pr[1]}/${pr[2]}`, Number(pr[3]));
    return view
      ? sendJson(res, 200, view)
      : sendJson(res, 404, { error: "no such pull request among the repositories you can read" });
  }
  const pipe = /^\/api\/v1\/pipelines\/([^/]+)\/([^/]+)\/([0-9a-f]{7,40})$/.exec(path);
  if (method === "GET" && pipe) {
    const nodes = await pipeline(rt, person, `${pipe[1]}/${pipe[2]}`, pipe[3]!);
    return nodes
      ? sendJson(res, 200, { jobs: nodes })
      : sendJson(res, 404, { error: "no such repository among the ones you can read" });
  }
  if (method === "POST") {
    const body = await readBody(req);
    if (!body)
      return sendJson(res, 400, {
        error: "the request body is not a readable form or JSON object (at most 64 KiB)",
      });
    if (path === "/api/v1/gates") return sendJson(res, ...(await gateAction(rt, person, body)));
    const job = /^\/api\/v1\/jobs\/([^/]+)\/(approve|apply|retry|cancel)$/.exec(path);
    if (job && JOB_ACTIONS.has(job[2] as JobAction)) {
      const reply = await actOnJob(rt, person, decodeURIComponent(job[1]!), job[2] as JobAction);
      return sendJson(res, reply.ok ? 200 : 403, reply);
    }
    if (path === "/api/v1/apply-pending")
      return sendJson(res, ...(await applyPending(rt, person, body.env, body.repo)));
  }
  return sendJson(res, 404, { error: `no API route ${method} ${path}` });
}

export async function gateAction(
  rt: Runtime,
  person: Person,
  body: Record<string, string>,
): Promise<[number, { ok: boolean; message: string }]> {
  const { repo, gate, action } = body;
  if (!repo || !gate || (action !== "open" && action !== "close"))
    return [400, { ok: false, message: "give repo (owner/name), gate and action (open or close)" }];
  let durationMs: number | undefined;
  if (body.duration) {
    const parsed = parseDuration(body.duration);
    if (!parsed.ok) return [400, { ok: false, message: `duration ${body.duration}: ${parsed.error}` }];
    durationMs = parsed.value;
  }
  const reply = await toggleGate(rt, person, {
    repo,
    gate,
    open: action === "open",
    ...(durationMs ? { durationMs } : {}),
  });
  return [reply.ok ? 200 : 403, reply];
}

/** `flowgate apply --env ENV --all-pending` through the API: starts each pending job the person may start. */
export async function applyPending(
  rt: Runtime,
  person: Person,
  env: string | undefined,
  repo: string | undefined,
): Promise<
  [
    number,
    {
      ok: boolean;
      message?: string;
      results: { jobId: string; stack: string; repo: string; ok: boolean; message: string }[];
    },
  ]
> {
  if (!env)
    return [
      400,
      { ok: false, message: "give env: the environment whose pending stacks to start", results: [] },
    ];
  const pending = (await waitingItems(rt, person, { env, ...(repo ? { repo } : {}) })).filter(
    (i) => i.status === "pending",
  );
  const results = [];
  for (const item of pending) {
    const reply = await actOnJob(rt, person, item.jobId, "apply");
    results.push({ jobId: item.jobId, stack: item.stack, repo: item.repo, ...reply });
  }
  return [200, { ok: results.every((r) => r.ok), results }];
}
