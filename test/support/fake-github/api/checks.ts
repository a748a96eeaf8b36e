/** Check runs: create, update, get, list for a ref; validated the way GitHub validates them. */
import { resolveRef } from "../git.js";
import {
  bodyObject,
  error,
  intParam,
  json,
  notFound,
  paginate,
  type Reply,
  type RequestContext,
  type Route,
} from "../router.js";
import type { CheckAction, CheckRunState, RepoState, Store } from "../state.js";
import { iso, nodeId } from "../state.js";

/** GitHub measures `output.summary` and `output.text` in bytes since 2024. */
export const MAX_OUTPUT_BYTES = 65_535;
const STATUSES = ["queued", "in_progress", "completed"];
const ACTIONS_ONLY_STATUSES = ["waiting", "requested", "pending"];
const CONCLUSIONS = ["action_required", "cancelled", "failure", "neutral", "success", "skipped", "timed_out"];

function repoOf(ctx: RequestContext): RepoState {
  return ctx.repo as RepoState;
}

const invalid = (message: string): Reply => error(422, `Invalid request.\n\n${message}`);

/** A validated value, or the 422 to answer. */
type Checked<T> = { ok: true; value: T } | { ok: false; reply: Reply };
const refuse = (message: string): { ok: false; reply: Reply } => ({ ok: false, reply: invalid(message) });

interface CheckFields {
  name?: string;
  headSha?: string;
  detailsUrl?: string;
  externalId?: string;
  status?: string;
  conclusion?: string;
  startedAt?: string;
  completedAt?: string;
  output?: { title: string; summary: string; text: string | null; annotations: number };
  actions?: CheckAction[];
}

/** Reads and validates a create or update body; `creating` makes `name` and `head_sha` required. */
function readFields(ctx: RequestContext, creating: boolean): Checked<CheckFields> {
  const body = bodyObject(ctx);
  if (!body) return refuse("Body must be a JSON object.");
  const fields: CheckFields = {};
  for (const key of [
    "name",
    "head_sha",
    "details_url",
    "external_id",
    "status",
    "conclusion",
    "started_at",
    "completed_at",
  ]) {
    if (body[key] !== undefined && body[key] !== null && typeof body[key] !== "string") {
      return refuse(`For 'properties/${key}', ${JSON.stringify(body[key])} is not a string.`);
    }
  }
  const str = (key: string) => body[key] as string | undefined;
  if (creating) {
    if (!str("name")) return refuse(`"name" wasn't supplied.`);
    if (!str("head_sha")) return refuse(`"head_sha" wasn't supplied.`);
  }
  if (str("name") !== undefined) fields.name = str("name");
  if (str("head_sha") !== undefined) fields.headSha = str("head_sha");
  if (str("details_url") !== undefined) fields.detailsUrl = str("details_url");
  if (str("external_id") !== undefined) fields.externalId = str("external_id");
  if (str("started_at") !== undefined) fields.startedAt = str("started_at");
  if (str("completed_at") !== undefined) fields.completedAt = str("completed_at");
  const status = str("status");
  if (status !== undefined) {
    if (ACTIONS_ONLY_STATUSES.includes(status))
      return refuse(`Only GitHub Actions can set a status of ${status}.`);
    if (!STATUSES.includes(status)) {
      return refuse(`For 'properties/status', "${status}" is not a member of ${JSON.stringify(STATUSES)}.`);
    }
    fields.status = status;
  }
  const conclusion = str("conclusion");
  if (conclusion !== undefined) {
    if (conclusion === "stale") return refuse("Only GitHub can set a conclusion of stale.");
    if (!CONCLUSIONS.includes(conclusion)) {
      return refuse(
        `For 'properties/conclusion', "${conclusion}" is not a member of ${JSON.stringify(CONCLUSIONS)}.`,
      );
    }
    fields.conclusion = conclusion;
  }
  if ((status === "completed" || fields.completedAt) && !conclusion)
    return refuse(`"conclusion" wasn't supplied.`);
  if (conclusion === "action_required" && !fields.detailsUrl) {
    return refuse(`"details_url" wasn't supplied; it is required when the conclusion is action_required.`);
  }
  const output = readOutput(body.output);
  if (!output.ok) return output;
  if (output.value) fields.output = output.value;
  const actions = readActions(body.actions);
  if (!actions.ok) return actions;
  if (actions.value) fields.actions = actions.value;
  return { ok: true, value: fields };
}

function readOutput(raw: unknown): Checked<CheckFields["output"]> {
  if (raw === undefined || raw === null) return { ok: true, value: undefined };
  if (typeof raw !== "object" || Array.isArray(raw))
    return refuse("For 'properties/output', it is not an object.");
  const output = raw as Record<string, unknown>;
  if (typeof output.title !== "string") return refuse(`For 'properties/output', "title" wasn't supplied.`);
  if (typeof output.summary !== "string")
    return refuse(`For 'properties/output', "summary" wasn't supplied.`);
  for (const field of ["summary", "text"] as const) {
    const value = output[field];
    if (typeof value === "string" && Buffer.byteLength(value) > MAX_OUTPUT_BYTES) {
      const reply = error(422, "Validation Failed", {
        errors: [
          {
            resource: "CheckRun",
            code: "custom",
            field,
            message: `${field} exceeds a maximum bytesize of ${MAX_OUTPUT_BYTES}`,
          },
        ],
      });
      return { ok: false, reply };
    }
  }
  const annotations = Array.isArray(output.annotations) ? output.annotations.length : 0;
  if (annotations > 50) return refuse("For 'properties/annotations', the maximum is 50 items per request.");
  const value = {
    title: output.title,
    summary: output.summary,
    text: typeof output.text === "string" ? output.text : null,
    annotations,
  };
  return { ok: true, value };
}

function readActions(raw: unknown): Checked<CheckAction[] | undefined> {
  if (raw === undefined || raw === null) return { ok: true, value: undefined };
  if (!Array.isArray(raw)) return refuse("For 'properties/actions', it is not an array.");
  if (raw.length > 3)
    return refuse(`For 'properties/actions', ${raw.length} items is too many (maximum is 3).`);
  const actions: CheckAction[] = [];
  const limits = { label: 20, description: 40, identifier: 20 } as const;
  for (const item of raw) {
    const action = (item ?? {}) as Record<string, unknown>;
    for (const [field, max] of Object.entries(limits)) {
      const value = action[field];
      if (typeof value !== "string") return refuse(`For 'items', "${field}" wasn't supplied.`);
      if (value.length > max) {
        return refuse(
          `For 'properties/${field}', "${value}" is too long (${value.length} > ${max} characters).`,
        );
      }
    }
    actions.push({
      label: action.label as string,
      description: action.description as string,
      identifier: action.identifier as string,
    });
  }
  return { ok: true, value: actions };
}

function apply(run: CheckRunState, fields: CheckFields, now: Date): void {
  if (fields.name !== undefined) run.name = fields.name;
  if (fields.detailsUrl !== undefined) run.detailsUrl = fields.detailsUrl;
  if (fields.externalId !== undefined) run.externalId = fields.externalId;
  if (fields.startedAt !== undefined) run.startedAt = fields.startedAt;
  if (fields.status !== undefined) run.status = fields.status;
  if (fields.status !== undefined && fields.status !== "completed" && fields.conclusion === undefined) {
    run.conclusion = null;
    run.completedAt = null;
  }
  if (fields.conclusion !== undefined) {
    // a conclusion completes the run
    run.conclusion = fields.conclusion;
    run.status = "completed";
    run.completedAt = fields.completedAt ?? iso(now);
  }
  if (fields.output) {
    run.output = {
      title: fields.output.title,
      summary: fields.output.summary,
      text: fields.output.text,
      annotationsCount: run.output.annotationsCount + fields.output.annotations,
    };
  }
  if (fields.actions) run.actions = fields.actions;
  run.writes += 1;
}

/** A queued check run, registered in the repository; one check suite per commit and app. */
export function newCheckRun(
  store: Store,
  repo: RepoState,
  input: { name: string; headSha: string; appId: number; now: Date },
): CheckRunState {
  const id = store.nextId("check_run", 9_000_000);
  const suite = [...repo.checkRuns.values()].find(
    (r) => r.headSha === input.headSha && r.appId === input.appId,
  );
  const run: CheckRunState = {
    id,
    nodeId: nodeId("CR", id),
    repo,
    appId: input.appId,
    name: input.name,
    headSha: input.headSha,
    externalId: "",
    status: "queued",
    conclusion: null,
    startedAt: iso(input.now),
    completedAt: null,
    detailsUrl: null,
    output: { title: null, summary: null, text: null, annotationsCount: 0 },
    actions: [],
    checkSuiteId: suite?.checkSuiteId ?? store.nextId("check_suite", 5_000_000),
    createdAt: iso(input.now),
    writes: 0,
  };
  repo.checkRuns.set(id, run);
  return run;
}

function create(ctx: RequestContext): Reply {
  const repo = repoOf(ctx);
  const fields = readFields(ctx, true);
  if (!fields.ok) return fields.reply;
  const checked = fields.value;
  const commit = resolveRef(repo, checked.headSha ?? "");
  if (!commit || commit.sha !== checked.headSha)
    return invalid(`No commit found for SHA: ${checked.headSha ?? ""}`);
  const run = newCheckRun(ctx.store, repo, {
    name: checked.name ?? "",
    headSha: commit.sha,
    appId: ctx.store.appId,
    now: ctx.now,
  });
  apply(run, checked, ctx.now);
  ctx.effects.checksChanged(repo);
  return json(201, ctx.render.checkRun(run));
}

function update(ctx: RequestContext): Reply {
  const repo = repoOf(ctx);
  const id = intParam(ctx, "check_run_id");
  const run = id === undefined ? undefined : repo.checkRuns.get(id);
  if (!run) return notFound();
  if (run.appId !== ctx.store.appId) {
    return error(403, "Invalid app_id - check run can only be modified by the GitHub App that created it.");
  }
  const fields = readFields(ctx, false);
  if (!fields.ok) return fields.reply;
  const checked = fields.value;
  if (checked.headSha !== undefined && checked.headSha !== run.headSha) {
    return invalid("The head_sha of a check run cannot be changed.");
  }
  apply(run, checked, ctx.now);
  ctx.effects.checksChanged(repo);
  return json(200, ctx.render.checkRun(run));
}

function listForRef(ctx: RequestContext): Reply {
  const repo = repoOf(ctx);
  const ref = ctx.params.ref ?? "";
  const commit = resolveRef(repo, ref);
  if (!commit) return error(422, `No commit found for SHA: ${ref}`);
  const name = ctx.query.get("check_name");
  const status = ctx.query.get("status");
  const appId = ctx.query.get("app_id");
  const filter = ctx.query.get("filter") ?? "latest";
  let runs = [...repo.checkRuns.values()].filter((r) => r.headSha === commit.sha);
  if (filter === "latest") {
    const latest = new Map<string, CheckRunState>();
    for (const run of runs) {
      const key = `${run.appId}:${run.name}`;
      const seen = latest.get(key);
      if (!seen || seen.id < run.id) latest.set(key, run);
    }
    runs = [...latest.values()];
  }
  runs = runs
    .filter((r) => !name || r.name === name)
    .filter((r) => !status || r.status === status)
    .filter((r) => !appId || String(r.appId) === appId)
    .sort((a, b) => b.id - a.id);
  return paginate(ctx, runs, (page, total) => ({
    total_count: total,
    check_runs: page.map((r) => ctx.render.checkRun(r)),
  }));
}

export const checkRoutes: Route[] = [
  { method: "POST", pattern: "/repos/:owner/:repo/check-runs", auth: "repo", handler: create },
  { method: "PATCH", pattern: "/repos/:owner/:repo/check-runs/:check_run_id", auth: "repo", handler: update },
  {
    method: "GET",
    pattern: "/repos/:owner/:repo/check-runs/:check_run_id",
    auth: "repo",
    handler: (ctx) => {
      const id = intParam(ctx, "check_run_id");
      const run = id === undefined ? undefined : repoOf(ctx).checkRuns.get(id);
      return run ? json(200, ctx.render.checkRun(run)) : notFound();
    },
  },
  {
    method: "GET",
    pattern: "/repos/:owner/:repo/commits/:ref/check-runs",
    auth: "repo",
    handler: listForRef,
  },
];
