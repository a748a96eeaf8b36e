/** GitHub Actions: workflows, dispatch, runs, artifacts, rerun/cancel, deployment protection rule callbacks. */
import { resolveRef } from "../git.js";
import { HTML } from "../render.js";
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
import {
  checkInputs,
  createRun,
  readWorkflow,
  registerWorkflow,
  renderRunName,
  workflowPath,
} from "../runs.js";
import type { RepoState, RunState, WorkflowState } from "../state.js";
import { iso } from "../state.js";

function repoOf(ctx: RequestContext): RepoState {
  return ctx.repo as RepoState;
}

/** `{workflow_id}` is a numeric id or a file name; files on the default branch count as registered. */
function findWorkflow(ctx: RequestContext): WorkflowState | undefined {
  const repo = repoOf(ctx);
  const key = ctx.params.workflow_id ?? "";
  if (/^\d+$/.test(key)) return [...repo.workflows.values()].find((w) => w.id === Number(key));
  const path = workflowPath(key);
  const known = repo.workflows.get(path);
  if (known) return known;
  const head = resolveRef(repo, repo.defaultBranch);
  const text = head?.files.get(path);
  if (text === undefined) return undefined;
  const definition = readWorkflow(text);
  return registerWorkflow(ctx.store, repo, path, definition.ok ? definition.value.name : undefined, ctx.now);
}

function dispatch(ctx: RequestContext): Reply {
  const repo = repoOf(ctx);
  const workflow = findWorkflow(ctx);
  if (!workflow) return notFound();
  const body = bodyObject(ctx);
  if (!body || typeof body.ref !== "string") return error(422, `Invalid request.\n\n"ref" wasn't supplied.`);
  const ref = body.ref.replace(/^refs\/heads\//, "");
  const commit = repo.branches.has(ref) ? resolveRef(repo, ref) : undefined;
  if (!commit) return error(422, `No ref found for: ${body.ref}`);
  const text = commit.files.get(workflow.path);
  if (text === undefined) return error(422, `Workflow does not exist at ref ${body.ref}: ${workflow.path}`);
  const definition = readWorkflow(text);
  if (!definition.ok) return error(422, definition.error);
  if (!definition.value.inputs) return error(422, "Workflow does not have 'workflow_dispatch' trigger");
  const rawInputs = body.inputs ?? {};
  if (typeof rawInputs !== "object" || rawInputs === null || Array.isArray(rawInputs)) {
    return error(
      422,
      `Invalid request.\n\nFor 'properties/inputs', ${JSON.stringify(rawInputs)} is not an object.`,
    );
  }
  const inputs = checkInputs(definition.value, rawInputs as Record<string, unknown>);
  if (typeof inputs === "string") return error(422, inputs);
  const actor = ctx.store.bot;
  const name = definition.value.name ?? workflow.path;
  const run = createRun(
    ctx.store,
    repo,
    {
      workflow,
      name,
      displayTitle: definition.value.runName
        ? renderRunName(definition.value.runName, inputs, actor.login, ref)
        : name,
      headBranch: ref,
      headSha: commit.sha,
      actor,
      inputs,
      event: "workflow_dispatch",
    },
    ctx.now,
  );
  const returnRunDetails = body.return_run_details === true && ctx.store.dispatchRunDetails;
  repo.dispatches.push({
    repo: repo.fullName,
    workflow: workflow.path.replace(/^\.github\/workflows\//, ""),
    ref,
    inputs,
    returnRunDetails,
    runId: run.id,
    at: ctx.now,
  });
  ctx.effects.runCreated(run);
  if (!returnRunDetails) return { status: 204 };
  return json(200, {
    workflow_run_id: run.id,
    run_url: `${ctx.api}/repos/${repo.fullName}/actions/runs/${run.id}`,
    html_url: `${HTML}/${repo.fullName}/actions/runs/${run.id}`,
  });
}

/** GitHub's `created` filter: `>=T`, `<=T`, `>T`, `<T`, `A..B`, or a date/time that must match exactly by prefix. */
export function matchesCreated(filter: string, createdAt: string): boolean {
  const at = Date.parse(createdAt);
  const range = /^(.+)\.\.(.+)$/.exec(filter);
  if (range?.[1] && range[2]) {
    const from = range[1] === "*" ? Number.NEGATIVE_INFINITY : Date.parse(range[1]);
    const to = range[2] === "*" ? Number.POSITIVE_INFINITY : Date.parse(range[2]);
    return at >= from && at <= to;
  }
  const op = /^(>=|<=|>|<)(.+)$/.exec(filter);
  if (op?.[1] && op[2]) {
    const bound = Date.parse(op[2]);
    if (op[1] === ">=") return at >= bound;
    if (op[1] === "<=") return at <= bound;
    if (op[1] === ">") return at > bound;
    return at < bound;
  }
  return createdAt.startsWith(filter);
}

function listRuns(ctx: RequestContext, workflow?: WorkflowState): Reply {
  const repo = repoOf(ctx);
  const q = (name: string) => ctx.query.get(name);
  const runs = [...repo.runs.values()]
    .filter((r) => !workflow || r.workflow.id === workflow.id)
    .filter((r) => !q("event") || r.event === q("event"))
    .filter((r) => !q("status") || r.status === q("status") || r.conclusion === q("status"))
    .filter((r) => !q("branch") || r.headBranch === q("branch"))
    .filter((r) => !q("actor") || r.actor.login.toLowerCase() === q("actor")?.toLowerCase())
    .filter((r) => !q("head_sha") || r.headSha === q("head_sha"))
    .filter((r) => !q("created") || matchesCreated(q("created") ?? "", r.createdAt))
    .sort((a, b) => b.id - a.id);
  return paginate(ctx, runs, (page, total) => ({
    total_count: total,
    workflow_runs: page.map((r) => ctx.render.run(r)),
  }));
}

function runOf(ctx: RequestContext): RunState | undefined {
  const id = intParam(ctx, "run_id");
  return id === undefined ? undefined : repoOf(ctx).runs.get(id);
}

function rerun(ctx: RequestContext): Reply {
  const run = runOf(ctx);
  if (!run) return notFound();
  if (run.status !== "completed") return error(403, "This workflow run is not completed");
  run.runAttempt += 1;
  run.status = "queued";
  run.conclusion = null;
  run.updatedAt = iso(ctx.now);
  run.runStartedAt = iso(ctx.now);
  run.triggeringActor = ctx.store.bot;
  ctx.effects.runCreated(run);
  return json(201, {});
}

function cancel(ctx: RequestContext): Reply {
  const run = runOf(ctx);
  if (!run) return notFound();
  if (run.status === "completed") return error(409, "Cannot cancel a workflow run that is completed.");
  ctx.effects.runCancelled(run);
  return json(202, {});
}

function protectionRule(ctx: RequestContext): Reply {
  const run = runOf(ctx);
  if (!run) return notFound();
  const body = bodyObject(ctx) ?? {};
  if (typeof body.environment_name !== "string" || body.environment_name === "") {
    return error(422, `Invalid request.\n\n"environment_name" wasn't supplied.`);
  }
  if (body.state !== "approved" && body.state !== "rejected") {
    return error(
      422,
      `Invalid request.\n\nFor 'properties/state', ${JSON.stringify(body.state)} is not a member of ["approved", "rejected"].`,
    );
  }
  repoOf(ctx).protectionRuleReviews.push({
    repo: repoOf(ctx).fullName,
    runId: run.id,
    environmentName: body.environment_name,
    state: body.state,
    comment: typeof body.comment === "string" ? body.comment : "",
    at: ctx.now,
  });
  return { status: 204 };
}

function downloadArtifact(ctx: RequestContext): Reply {
  const id = intParam(ctx, "artifact_id");
  const artifact = id === undefined ? undefined : repoOf(ctx).artifacts.get(id);
  if (!artifact || ctx.params.archive_format !== "zip") return notFound();
  if (artifact.expired || Date.parse(artifact.expiresAt) <= ctx.now.getTime())
    return error(410, "Artifact has expired");
  // GitHub redirects to a short-lived blob URL that needs no authentication
  return { status: 302, headers: { location: `${ctx.api}/_blobs/artifacts/${artifact.id}.zip` } };
}

export const actionRoutes: Route[] = [
  {
    method: "POST",
    pattern: "/repos/:owner/:repo/actions/workflows/:workflow_id/dispatches",
    auth: "repo",
    handler: dispatch,
  },
  {
    method: "GET",
    pattern: "/repos/:owner/:repo/actions/workflows/:workflow_id/runs",
    auth: "repo",
    handler: (ctx) => {
      const wf = findWorkflow(ctx);
      return wf ? listRuns(ctx, wf) : notFound();
    },
  },
  {
    method: "GET",
    pattern: "/repos/:owner/:repo/actions/runs",
    auth: "repo",
    handler: (ctx) => listRuns(ctx),
  },
  {
    method: "GET",
    pattern: "/repos/:owner/:repo/actions/runs/:run_id",
    auth: "repo",
    handler: (ctx) => {
      const run = runOf(ctx);
      return run ? json(200, ctx.render.run(run)) : notFound();
    },
  },
  {
    method: "GET",
    pattern: "/repos/:owner/:repo/actions/runs/:run_id/artifacts",
    auth: "repo",
    handler: (ctx) => {
      const run = runOf(ctx);
      if (!run) return notFound();
      const name = ctx.query.get("name");
      const artifacts = [...repoOf(ctx).artifacts.values()]
        .filter((a) => a.runId === run.id && (!name || a.name === name))
        .sort((a, b) => b.id - a.id);
      return paginate(ctx, artifacts, (page, total) => ({
        total_count: total,
        artifacts: page.map((a) => ctx.render.artifact(a)),
      }));
    },
  },
  {
    method: "GET",
    pattern: "/repos/:owner/:repo/actions/artifacts/:artifact_id/:archive_format",
    auth: "repo",
    handler: downloadArtifact,
  },
  { method: "POST", pattern: "/repos/:owner/:repo/actions/runs/:run_id/rerun", auth: "repo", handler: rerun },
  {
    method: "POST",
    pattern: "/repos/:owner/:repo/actions/runs/:run_id/cancel",
    auth: "repo",
    handler: cancel,
  },
  {
    method: "POST",
    pattern: "/repos/:owner/:repo/actions/runs/:run_id/deployment_protection_rule",
    auth: "repo",
    handler: protectionRule,
  },
];
