/**
 * `result.json`, what a flowgate workflow uploads as the `flowgate-result` artifact (SPEC §5),
 * and its strict validation: the app reads it from runs that executed a pull request's code,
 * so every field is checked for type, size and shape before anything trusts it.
 */
import type { Parsed } from "../model/parsed.js";

/**
 * What happens to one resource. `replace` covers both orders (delete then create, create then
 * delete); `forget` removes it from state without destroying it; `import` adopts an existing
 * object without changing it. `read` and `no-op` are not changes (summarisers leave them out).
 */
export type PlanAction = "create" | "update" | "delete" | "replace" | "read" | "no-op" | "forget" | "import";
export const PLAN_ACTIONS: readonly PlanAction[] = [
  "create",
  "update",
  "delete",
  "replace",
  "read",
  "no-op",
  "forget",
  "import",
];

export interface ResultResource {
  address: string;
  type: string;
  action: PlanAction;
  /** top-level attribute names that change (update/replace); empty for create/delete. Never values. */
  changedAttributes: string[];
  /** Terraform's `action_reason`, e.g. `replace_because_tainted` */
  actionReason?: string;
  /** set when the resource moved (a `moved` block) */
  previousAddress?: string;
}

export interface PlanSummary {
  add: number;
  change: number;
  destroy: number;
  replace: number;
}

export interface ResultJson {
  version: 1;
  jobId: string;
  stack: string;
  operation: "plan" | "apply";
  sha: string;
  outcome: "success" | "failure";
  summary: PlanSummary;
  resources: ResultResource[];
  estimatedCost?: number;
  /** a readable plan, sensitive values masked */
  text: string;
  /** changes made outside Terraform, found while refreshing */
  drift?: ResultResource[];
}

export const MAX_RESOURCES = 50_000;
export const MAX_TEXT_BYTES = 5 * 1024 * 1024;
/** addresses, types, previous addresses, reasons */
export const MAX_NAME_CHARS = 4096;
export const MAX_ATTRIBUTE_CHARS = 1024;
export const MAX_ATTRIBUTES_PER_RESOURCE = 4096;
export const MAX_ID_CHARS = 200;
export const MAX_COST = 1e12;

/** The counts a list of resources adds up to: a replacement counts only as a replacement. */
export function countSummary(resources: readonly { action: string }[]): PlanSummary {
  const summary: PlanSummary = { add: 0, change: 0, destroy: 0, replace: 0 };
  for (const r of resources) {
    if (r.action === "create") summary.add++;
    else if (r.action === "update") summary.change++;
    else if (r.action === "delete") summary.destroy++;
    else if (r.action === "replace") summary.replace++;
  }
  return summary;
}

/** `+2 ~1 -0`, with ` ±1` appended when something is replaced. */
export function formatSummary(s: PlanSummary): string {
  const base = `+${s.add} ~${s.change} -${s.destroy}`;
  return s.replace > 0 ? `${base} ±${s.replace}` : base;
}

const RESULT_KEYS = new Set([
  "version",
  "jobId",
  "stack",
  "operation",
  "sha",
  "outcome",
  "summary",
  "resources",
  "estimatedCost",
  "text",
  "drift",
]);
const RESOURCE_KEYS = new Set([
  "address",
  "type",
  "action",
  "changedAttributes",
  "actionReason",
  "previousAddress",
]);
const SUMMARY_KEYS = ["add", "change", "destroy", "replace"] as const;

/** Printable, no whitespace: job ids and stack names end up in run names and Redis keys. */
const ID_PATTERN = /^[\x21-\x7e]+$/;
/** A full commit id: SHA-1, or SHA-256 for repositories that use it. */
const SHA_PATTERN = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL_CHARS_EXCEPT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f]/;

type Check<T> = { ok: true; value: T } | { ok: false; error: string };
const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "a list";
  return typeof x === "object" ? "an object" : `a ${typeof x}`;
}

function unknownKey(obj: Record<string, unknown>, allowed: Set<string>): string | undefined {
  return Object.keys(obj).find((k) => !allowed.has(k));
}

/** A single-line string of bounded length, free of control characters. */
function checkName(x: unknown, where: string, max: number): Check<string> {
  if (typeof x !== "string") return fail(`${where} must be a string, not ${describe(x)}`);
  if (x.length === 0) return fail(`${where} must not be empty`);
  if (x.length > max) return fail(`${where} is ${x.length} characters long; at most ${max} are allowed`);
  if (CONTROL_CHARS.test(x)) return fail(`${where} contains a control character`);
  return { ok: true, value: x };
}

/** Whether a job id or stack name has the form result.json requires. */
export function isValidId(x: string): boolean {
  return x.length <= MAX_ID_CHARS && ID_PATTERN.test(x);
}

/** Whether a commit id has the form result.json requires. */
export function isValidSha(x: string): boolean {
  return SHA_PATTERN.test(x);
}

function checkId(x: unknown, where: string): Check<string> {
  const name = checkName(x, where, MAX_ID_CHARS);
  if (!name.ok) return name;
  if (!ID_PATTERN.test(name.value)) return fail(`${where} must be printable ASCII without spaces`);
  return name;
}

function checkResource(x: unknown, where: string): Check<ResultResource> {
  if (!isRecord(x)) return fail(`${where} must be an object, not ${describe(x)}`);
  const extra = unknownKey(x, RESOURCE_KEYS);
  if (extra !== undefined) return fail(`${where} has an unknown field "${extra.slice(0, 100)}"`);
  const address = checkName(x.address, `${where}.address`, MAX_NAME_CHARS);
  if (!address.ok) return address;
  const type = checkName(x.type, `${where}.type`, MAX_NAME_CHARS);
  if (!type.ok) return type;
  if (typeof x.action !== "string" || !(PLAN_ACTIONS as readonly string[]).includes(x.action)) {
    return fail(`${where}.action must be one of ${PLAN_ACTIONS.join(", ")}`);
  }
  const attrs = x.changedAttributes;
  if (!Array.isArray(attrs)) return fail(`${where}.changedAttributes must be a list, not ${describe(attrs)}`);
  if (attrs.length > MAX_ATTRIBUTES_PER_RESOURCE) {
    return fail(
      `${where}.changedAttributes has ${attrs.length} entries; at most ${MAX_ATTRIBUTES_PER_RESOURCE}`,
    );
  }
  const changedAttributes: string[] = [];
  for (const [i, a] of attrs.entries()) {
    const name = checkName(a, `${where}.changedAttributes[${i}]`, MAX_ATTRIBUTE_CHARS);
    if (!name.ok) return name;
    changedAttributes.push(name.value);
  }
  const resource: ResultResource = {
    address: address.value,
    type: type.value,
    action: x.action as PlanAction,
    changedAttributes,
  };
  for (const key of ["actionReason", "previousAddress"] as const) {
    if (x[key] === undefined) continue;
    const value = checkName(x[key], `${where}.${key}`, MAX_NAME_CHARS);
    if (!value.ok) return value;
    resource[key] = value.value;
  }
  return { ok: true, value: resource };
}

/** Validates a list of resources (the `resources` or `drift` field). Exported for the summariser. */
export function checkResources(x: unknown, field: string): Check<ResultResource[]> {
  if (!Array.isArray(x)) return fail(`${field} must be a list, not ${describe(x)}`);
  if (x.length > MAX_RESOURCES) {
    return fail(`${field} lists ${x.length} resources; at most ${MAX_RESOURCES} are allowed`);
  }
  const out: ResultResource[] = [];
  for (const [i, item] of x.entries()) {
    const r = checkResource(item, `${field}[${i}]`);
    if (!r.ok) return r;
    out.push(r.value);
  }
  return { ok: true, value: out };
}

function checkSummary(x: unknown): Check<PlanSummary> {
  if (!isRecord(x)) return fail(`summary must be an object, not ${describe(x)}`);
  const extra = unknownKey(x, new Set(SUMMARY_KEYS));
  if (extra !== undefined) return fail(`summary has an unknown field "${extra.slice(0, 100)}"`);
  const summary: PlanSummary = { add: 0, change: 0, destroy: 0, replace: 0 };
  for (const key of SUMMARY_KEYS) {
    const n = x[key];
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > MAX_RESOURCES) {
      return fail(`summary.${key} must be a whole number from 0 to ${MAX_RESOURCES}`);
    }
    summary[key] = n;
  }
  return { ok: true, value: summary };
}

/**
 * Validates what a workflow uploaded. Refuses unknown fields, wrong types, oversize lists and
 * strings, malformed ids and a summary that does not add up to the listed resources.
 */
export function parseResultJson(raw: unknown): Parsed<ResultJson> {
  const r = checkResultJson(raw);
  return r.ok ? r : fail(`result.json is not valid: ${r.error}`);
}

function checkResultJson(raw: unknown): Check<ResultJson> {
  if (!isRecord(raw)) return fail(`it must be a JSON object, not ${describe(raw)}`);
  const extra = unknownKey(raw, RESULT_KEYS);
  if (extra !== undefined) return fail(`unknown field "${extra.slice(0, 100)}"`);
  for (const key of [
    "version",
    "jobId",
    "stack",
    "operation",
    "sha",
    "outcome",
    "summary",
    "resources",
    "text",
  ]) {
    if (raw[key] === undefined) return fail(`the field "${key}" is missing`);
  }
  if (raw.version !== 1) return fail(`version must be 1, not ${JSON.stringify(raw.version)?.slice(0, 50)}`);
  const jobId = checkId(raw.jobId, "jobId");
  if (!jobId.ok) return jobId;
  const stack = checkId(raw.stack, "stack");
  if (!stack.ok) return stack;
  if (raw.operation !== "plan" && raw.operation !== "apply")
    return fail(`operation must be "plan" or "apply"`);
  if (typeof raw.sha !== "string" || !SHA_PATTERN.test(raw.sha)) {
    return fail("sha must be a full commit id (40 or 64 lowercase hexadecimal characters)");
  }
  if (raw.outcome !== "success" && raw.outcome !== "failure")
    return fail(`outcome must be "success" or "failure"`);
  const resources = checkResources(raw.resources, "resources");
  if (!resources.ok) return resources;
  const summary = checkSummary(raw.summary);
  if (!summary.ok) return summary;
  const counted = countSummary(resources.value);
  for (const key of SUMMARY_KEYS) {
    if (counted[key] !== summary.value[key]) {
      return fail(`summary.${key} is ${summary.value[key]} but the resources add up to ${counted[key]}`);
    }
  }
  if (typeof raw.text !== "string") return fail(`text must be a string, not ${describe(raw.text)}`);
  const textBytes = Buffer.byteLength(raw.text, "utf8");
  if (textBytes > MAX_TEXT_BYTES)
    return fail(`text is ${textBytes} bytes; at most ${MAX_TEXT_BYTES} are allowed`);
  if (CONTROL_CHARS_EXCEPT_LINES.test(raw.text)) {
    return fail("text contains a control character other than newline and tab");
  }
  const result: ResultJson = {
    version: 1,
    jobId: jobId.value,
    stack: stack.value,
    operation: raw.operation,
    sha: raw.sha,
    outcome: raw.outcome,
    summary: summary.value,
    resources: resources.value,
    text: raw.text,
  };
  if (raw.estimatedCost !== undefined) {
    const cost = raw.estimatedCost;
    if (typeof cost !== "number" || !Number.isFinite(cost) || Math.abs(cost) > MAX_COST) {
      return fail(`estimatedCost must be a finite number no larger than ${MAX_COST}`);
    }
    result.estimatedCost = cost;
  }
  if (raw.drift !== undefined) {
    const drift = checkResources(raw.drift, "drift");
    if (!drift.ok) return drift;
    result.drift = drift.value;
  }
  return { ok: true, value: result };
}
