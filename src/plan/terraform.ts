/**
 * Terraform/OpenTofu plans (`terraform show -json PLANFILE`, format 1.x) read into plain changes.
 * Follows the documented JSON output format: `resource_changes[].change.actions`, `before`/`after`,
 * `after_unknown`, `before_sensitive`/`after_sensitive`, `replace_paths`, `action_reason`,
 * `previous_address`, `importing`, `deposed`, `mode`, `resource_drift`, `output_changes`, `errored`.
 * Anything it does not understand is refused with a message, never guessed at.
 */
import type { Parsed } from "../model/parsed.js";
import { maskHasTrue } from "./redact.js";
import type { PlanAction, ResultResource } from "./result.js";

/** What one entry of `resource_changes` (or `resource_drift`) means for flowgate. */
export type TfKind = PlanAction;

export interface TfChange {
  address: string;
  type: string;
  /** the resource's local name, for the `resource "type" "name"` line */
  name: string;
  mode: "managed" | "data";
  kind: TfKind;
  /** the raw actions, e.g. `["create","delete"]` (create before destroy) */
  actions: string[];
  before: unknown;
  after: unknown;
  afterUnknown: unknown;
  beforeSensitive: unknown;
  afterSensitive: unknown;
  /** first steps of `replace_paths`: the top-level attributes that force the replacement */
  replaceAttributes: string[];
  actionReason?: string;
  previousAddress?: string;
  importing: boolean;
  deposed?: string;
  /** `["create","forget"]`: the new object is created and the old one left alone */
  forgetsOld: boolean;
}

export interface TfOutputChange {
  name: string;
  kind: "create" | "update" | "delete";
  before: unknown;
  after: unknown;
  afterUnknown: unknown;
  beforeSensitive: unknown;
  afterSensitive: unknown;
}

export interface TerraformPlan {
  changes: TfChange[];
  drift: TfChange[];
  outputs: TfOutputChange[];
  /** `complete: false`: targeted or deferred, more changes may follow */
  incomplete: boolean;
  deferredCount: number;
}

export const TERRAFORM_ERRORED =
  "the plan failed: terraform reported errored: true; no changes can be summarised";

type Check<T> = Parsed<T>;
const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** A Terraform/OpenTofu JSON document: plans and states both carry `format_version`. */
export function looksLikeTerraform(doc: Record<string, unknown>): boolean {
  return typeof doc.format_version === "string";
}

function kindOf(actions: readonly string[], importing: boolean): TfKind | undefined {
  const key = actions.join(",");
  switch (key) {
    case "no-op":
      return importing ? "import" : "no-op";
    case "create":
    case "create,forget":
      return "create";
    case "read":
      return "read";
    case "update":
      return "update";
    case "delete":
      return "delete";
    case "delete,create":
    case "create,delete":
      return "replace";
    case "forget":
      return "forget";
    default:
      return undefined;
  }
}

function optionalString(x: unknown): string | undefined {
  return typeof x === "string" && x !== "" ? x : undefined;
}

function readChange(raw: unknown, where: string): Check<TfChange> {
  if (!isRecord(raw)) return fail(`${where} is not an object`);
  if (typeof raw.address !== "string" || raw.address === "") return fail(`${where}.address is missing`);
  const address = raw.address;
  const change = raw.change;
  if (!isRecord(change)) return fail(`${where} (${address}): change is missing`);
  const actions = change.actions;
  if (!Array.isArray(actions) || actions.length === 0 || !actions.every((a) => typeof a === "string")) {
    return fail(`${where} (${address}): change.actions is not a list of action names`);
  }
  const importing = isRecord(change.importing);
  const kind = kindOf(actions, importing);
  if (kind === undefined) {
    return fail(
      `${where} (${address}): unknown actions ${JSON.stringify(actions)}; flowgate does not summarise what it cannot classify`,
    );
  }
  const replaceAttributes = Array.isArray(change.replace_paths)
    ? change.replace_paths.flatMap((p) => (Array.isArray(p) && typeof p[0] === "string" ? [p[0]] : []))
    : [];
  const result: TfChange = {
    address,
    type: typeof raw.type === "string" && raw.type !== "" ? raw.type : typeFromAddress(address),
    name: typeof raw.name === "string" ? raw.name : address,
    mode: raw.mode === "data" ? "data" : "managed",
    kind,
    actions: actions as string[],
    before: change.before ?? null,
    after: change.after ?? null,
    afterUnknown: change.after_unknown,
    beforeSensitive: change.before_sensitive,
    afterSensitive: change.after_sensitive,
    replaceAttributes: [...new Set(replaceAttributes)],
    importing,
    forgetsOld: actions.join(",") === "create,forget",
  };
  const actionReason = optionalString(raw.action_reason);
  if (actionReason !== undefined) result.actionReason = actionReason;
  const previousAddress = optionalString(raw.previous_address);
  if (previousAddress !== undefined && previousAddress !== address) result.previousAddress = previousAddress;
  const deposed = optionalString(raw.deposed);
  if (deposed !== undefined) result.deposed = deposed;
  return { ok: true, value: result };
}

/** `module.a.aws_instance.web[0]` → `aws_instance`, for documents that leave out `type`. */
function typeFromAddress(address: string): string {
  const parts = address.replace(/\[[^\]]*\]/g, "").split(".");
  const start = parts[0] === "data" ? 1 : 0;
  let i = start;
  while (parts[i] === "module") i += 2;
  if (parts[i] === "data") i++;
  return parts[i] ?? address;
}

function readChanges(raw: unknown, field: string): Check<TfChange[]> {
  if (raw === undefined || raw === null) return { ok: true, value: [] };
  if (!Array.isArray(raw)) return fail(`${field} is not a list`);
  const out: TfChange[] = [];
  for (const [i, item] of raw.entries()) {
    const c = readChange(item, `${field}[${i}]`);
    if (!c.ok) return c;
    out.push(c.value);
  }
  return { ok: true, value: out };
}

function readOutputs(raw: unknown): Check<TfOutputChange[]> {
  if (raw === undefined || raw === null) return { ok: true, value: [] };
  if (!isRecord(raw)) return fail("output_changes is not an object");
  const out: TfOutputChange[] = [];
  for (const [name, entry] of Object.entries(raw)) {
    // The documentation wraps the change in `change`; Terraform writes it directly. Read both.
    const change = isRecord(entry) && isRecord(entry.change) ? entry.change : entry;
    if (!isRecord(change) || !Array.isArray(change.actions)) {
      return fail(`output_changes.${name}: actions are missing`);
    }
    const key = change.actions.join(",");
    const kind =
      key === "create" ? "create" : key === "delete" ? "delete" : key === "no-op" ? undefined : "update";
    if (kind === undefined) continue;
    out.push({
      name,
      kind,
      before: change.before ?? null,
      after: change.after ?? null,
      afterUnknown: change.after_unknown,
      beforeSensitive: change.before_sensitive,
      afterSensitive: change.after_sensitive,
    });
  }
  return { ok: true, value: out };
}

/** Reads a plan document; refuses failed plans, states, and formats of another major version. */
export function readTerraformPlan(doc: Record<string, unknown>): Check<TerraformPlan> {
  const version = doc.format_version as string;
  const major = /^(\d+)\./.exec(version)?.[1];
  if (major !== "0" && major !== "1") {
    return fail(`unsupported plan format_version "${version.slice(0, 20)}": flowgate reads format 1.x`);
  }
  if (doc.errored === true) return fail(TERRAFORM_ERRORED);
  const isPlan = ["resource_changes", "planned_values", "output_changes", "resource_drift"].some(
    (k) => doc[k] !== undefined,
  );
  if (!isPlan) {
    return fail(
      doc.values !== undefined
        ? "this is a Terraform state, not a plan: run `terraform show -json PLANFILE` on a saved plan"
        : "this Terraform document holds no plan (no resource_changes or planned_values)",
    );
  }
  const changes = readChanges(doc.resource_changes, "resource_changes");
  if (!changes.ok) return changes;
  const drift = readChanges(doc.resource_drift, "resource_drift");
  if (!drift.ok) return drift;
  const outputs = readOutputs(doc.output_changes);
  if (!outputs.ok) return outputs;
  return {
    ok: true,
    value: {
      changes: changes.value,
      drift: drift.value,
      outputs: outputs.value,
      incomplete: doc.complete === false,
      deferredCount: Array.isArray(doc.deferred_changes) ? doc.deferred_changes.length : 0,
    },
  };
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.hasOwn(rb, k) && deepEqual((a as Record<string, unknown>)[k], rb[k]));
}

/** A mask without its unmarked leaves, so `{}` and `{"a": false}` compare equal. */
function pruneMask(mask: unknown): unknown {
  if (mask === true) return true;
  if (typeof mask !== "object" || mask === null) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(mask)) {
    const p = pruneMask(v);
    if (p !== undefined) out[k] = p;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function childOf(x: unknown, key: string): unknown {
  if (x === true) return true;
  return isRecord(x) ? x[key] : undefined;
}

/**
 * Top-level attributes that change: before and after differ, the value is unknown until apply,
 * or its sensitivity changes. Names only, never values.
 */
export function changedAttributes(c: TfChange): string[] {
  const keys = new Set<string>();
  for (const source of [c.before, c.after, c.afterUnknown]) {
    if (isRecord(source)) for (const k of Object.keys(source)) keys.add(k);
  }
  const changed: string[] = [];
  for (const k of keys) {
    const before = isRecord(c.before) ? (c.before[k] ?? null) : null;
    const after = isRecord(c.after) ? (c.after[k] ?? null) : null;
    const unknown = maskHasTrue(childOf(c.afterUnknown, k));
    const sensitivityChanged = !deepEqual(
      pruneMask(childOf(c.beforeSensitive, k)),
      pruneMask(childOf(c.afterSensitive, k)),
    );
    if (unknown || sensitivityChanged || !deepEqual(before, after)) changed.push(k);
  }
  return changed.sort();
}

/** Whether an entry is a change to infrastructure or state worth listing in `resources`. */
function isListed(c: TfChange): boolean {
  return c.mode === "managed" && c.kind !== "no-op" && c.kind !== "read";
}

export function toResultResource(c: TfChange): ResultResource {
  const partial = c.kind === "update" || c.kind === "replace";
  const r: ResultResource = {
    address: c.address,
    type: c.type,
    action: c.kind,
    changedAttributes: partial ? changedAttributes(c) : [],
  };
  if (c.actionReason !== undefined) r.actionReason = c.actionReason;
  if (c.previousAddress !== undefined) r.previousAddress = c.previousAddress;
  return r;
}

/** The resources a plan changes (data sources, no-ops and pure moves left out), in plan order. */
export function terraformResources(plan: TerraformPlan): {
  resources: ResultResource[];
  drift: ResultResource[];
} {
  return {
    resources: plan.changes.filter(isListed).map(toResultResource),
    drift: plan.drift.filter(isListed).map(toResultResource),
  };
}
