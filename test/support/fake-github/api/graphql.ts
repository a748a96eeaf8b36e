/**
 * GraphQL, only as far as flowgate needs it: `enablePullRequestAutoMerge` and
 * `disablePullRequestAutoMerge`. The mutation is recognised by name; its input comes from the
 * variables (`input: $input` or one variable per field) or from literals in the query.
 */
import { mergeStatus } from "../merge.js";
import { bodyObject, json, type Reply, type RequestContext, type Route } from "../router.js";
import type { MergeMethod, PullState } from "../state.js";
import { iso } from "../state.js";

const METHODS: Record<string, MergeMethod> = { MERGE: "merge", SQUASH: "squash", REBASE: "rebase" };

function gqlError(field: string, type: string, message: string): Reply {
  return json(200, {
    data: { [field]: null },
    errors: [{ type, path: [field], locations: [{ line: 2, column: 3 }], message }],
  });
}

/** Reads `input: { key: $var | "literal" | ENUM, ... }` or `input: $var` of a mutation. */
export function mutationInput(
  query: string,
  field: string,
  variables: Record<string, unknown>,
): Record<string, unknown> {
  const at = query.indexOf(field);
  const args = at < 0 ? "" : (/^\s*\(([\s\S]*?)\)\s*\{/.exec(query.slice(at + field.length))?.[1] ?? "");
  const whole = /input\s*:\s*\$(\w+)/.exec(args);
  if (whole?.[1]) {
    const value = variables[whole[1]];
    return value && typeof value === "object" ? (value as Record<string, unknown>) : {};
  }
  const input: Record<string, unknown> = {};
  for (const m of args.matchAll(/(\w+)\s*:\s*(\$\w+|"(?:[^"\\]|\\.)*"|\w+)/g)) {
    const [, key, raw] = m;
    if (!key || !raw || key === "input") continue;
    input[key] = raw.startsWith("$") ? variables[raw.slice(1)] : raw.startsWith('"') ? JSON.parse(raw) : raw;
  }
  return input;
}

function pullPayload(pull: PullState) {
  return {
    id: pull.nodeId,
    number: pull.number,
    autoMergeRequest: pull.autoMerge
      ? { enabledAt: pull.autoMerge.enabledAt, mergeMethod: pull.autoMerge.mergeMethod.toUpperCase() }
      : null,
  };
}

function enable(ctx: RequestContext, input: Record<string, unknown>): Reply {
  const field = "enablePullRequestAutoMerge";
  const id = String(input.pullRequestId ?? "");
  const pull = ctx.store.pullByNodeId(id);
  const expected = typeof input.expectedHeadOid === "string" ? input.expectedHeadOid : null;
  const methodName = typeof input.mergeMethod === "string" ? input.mergeMethod : "MERGE";
  const record = (error: string | null) =>
    pull?.repo.autoMergeRequests.push({
      repo: pull.repo.fullName,
      number: pull.number,
      action: "enable",
      expectedHeadOid: expected,
      mergeMethod: methodName,
      error,
      at: ctx.now,
    });
  if (!pull)
    return gqlError(field, "NOT_FOUND", `Could not resolve to a node with the global id of '${id}'.`);
  const fail = (message: string) => {
    record(message);
    return gqlError(field, "UNPROCESSABLE", message);
  };
  const method = METHODS[methodName];
  if (!method) return fail(`Argument 'mergeMethod' has an invalid value (${methodName}).`);
  if (!pull.repo.allowAutoMerge) return fail("Pull request Auto merge is not allowed for this repository");
  if (pull.issue.state !== "open") return fail("Pull request Pull request is closed");
  if (expected && expected !== pull.head.sha) {
    return fail("Pull request The expected head OID does not match the head of the pull request");
  }
  if (!pull.repo.protection.has(pull.base.ref)) {
    return fail("Pull request Protected branch rules not configured for this branch");
  }
  const status = mergeStatus(pull.repo, pull);
  if (["clean", "unstable", "has_hooks"].includes(status.state)) {
    return fail(`Pull request Pull request is in ${status.state} status`);
  }
  pull.autoMerge = { enabledBy: ctx.store.bot, mergeMethod: method, enabledAt: iso(ctx.now) };
  record(null);
  ctx.effects.checksChanged(pull.repo);
  return json(200, { data: { [field]: { clientMutationId: null, pullRequest: pullPayload(pull) } } });
}

function disable(ctx: RequestContext, input: Record<string, unknown>): Reply {
  const field = "disablePullRequestAutoMerge";
  const id = String(input.pullRequestId ?? "");
  const pull = ctx.store.pullByNodeId(id);
  if (!pull)
    return gqlError(field, "NOT_FOUND", `Could not resolve to a node with the global id of '${id}'.`);
  pull.autoMerge = null;
  pull.repo.autoMergeRequests.push({
    repo: pull.repo.fullName,
    number: pull.number,
    action: "disable",
    expectedHeadOid: null,
    mergeMethod: null,
    error: null,
    at: ctx.now,
  });
  return json(200, { data: { [field]: { clientMutationId: null, pullRequest: pullPayload(pull) } } });
}

function graphql(ctx: RequestContext): Reply {
  const body = bodyObject(ctx);
  const query = typeof body?.query === "string" ? body.query : "";
  const variables = (body?.variables && typeof body.variables === "object" ? body.variables : {}) as Record<
    string,
    unknown
  >;
  if (query === "")
    return json(400, { message: "A query attribute must be specified and must be a string." });
  for (const [field, handle] of [
    ["enablePullRequestAutoMerge", enable],
    ["disablePullRequestAutoMerge", disable],
  ] as const) {
    if (new RegExp(`\\b${field}\\b`).test(query)) return handle(ctx, mutationInput(query, field, variables));
  }
  return json(200, {
    errors: [{ message: "This fake GitHub answers only enable/disablePullRequestAutoMerge." }],
  });
}

export const graphqlRoutes: Route[] = [
  { method: "POST", pattern: "/graphql", auth: "installation", handler: graphql },
];
