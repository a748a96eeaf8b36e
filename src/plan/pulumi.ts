/**
 * Pulumi previews (`pulumi preview --json`) read into the same resources as a Terraform plan.
 * A step names its resource by URN (`urn:pulumi:STACK::PROJECT::TYPE::NAME`, where TYPE may be
 * prefixed by its parents' types joined with `$`) and its operation by `op`. A replacement shows
 * as several steps (create-replacement, replace, delete-replaced) and is counted once.
 */
import type { Parsed } from "../model/parsed.js";
import type { PlanAction, ResultResource } from "./result.js";

/** The preview document's root stack resource: bookkeeping, not infrastructure. */
const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

const REPLACE_OPS = new Set(["replace", "create-replacement", "delete-replaced", "import-replacement"]);
/** Operations that read or tidy state without changing infrastructure. */
const QUIET_OPS: Record<string, PlanAction> = {
  same: "no-op",
  read: "read",
  "read-replacement": "read",
  refresh: "read",
  discard: "read",
  "discard-replaced": "read",
  "remove-pending-replace": "no-op",
};
const SINGLE_OPS: Record<string, PlanAction> = {
  create: "create",
  update: "update",
  delete: "delete",
  import: "import",
};

export interface PulumiState {
  type?: string;
  inputs?: Record<string, unknown>;
}

export interface PulumiResource {
  urn: string;
  /** `TYPE::NAME` from the URN: unique within a stack */
  address: string;
  type: string;
  name: string;
  action: PlanAction;
  ops: string[];
  changedAttributes: string[];
  replaceReasons: string[];
  oldInputs: Record<string, unknown> | undefined;
  newInputs: Record<string, unknown> | undefined;
}

export interface PulumiPreview {
  resources: PulumiResource[];
}

type Check<T> = Parsed<T>;
const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** A Pulumi preview digest: a list of steps and/or a change summary, and no Terraform version. */
export function looksLikePulumi(doc: Record<string, unknown>): boolean {
  return doc.format_version === undefined && (Array.isArray(doc.steps) || isRecord(doc.changeSummary));
}

/** `urn:pulumi:dev::shop::aws:s3/bucket:Bucket::site` → qualified type and name. */
export function parseUrn(urn: string): { qualifiedType: string; type: string; name: string } | undefined {
  if (!urn.startsWith("urn:pulumi:")) return undefined;
  const parts = urn.slice("urn:pulumi:".length).split("::");
  if (parts.length < 4) return undefined;
  const qualifiedType = parts[2] ?? "";
  // A name may itself contain "::"; everything after the type belongs to it.
  const name = parts.slice(3).join("::");
  const type = qualifiedType.split("$").pop() ?? qualifiedType;
  if (qualifiedType === "" || name === "") return undefined;
  return { qualifiedType, type, name };
}

/** `tags.Name`, `ingress[0].cidr`, `["a.b"].c` → the top-level property name. */
export function topLevelProperty(path: string): string {
  const quoted = /^\["((?:[^"\\]|\\.)*)"\]/.exec(path);
  if (quoted?.[1] !== undefined) return quoted[1].replace(/\\(.)/g, "$1");
  const end = path.search(/[.[]/);
  return end === -1 ? path : path.slice(0, end);
}

function stringList(x: unknown): string[] {
  return Array.isArray(x) ? x.filter((s): s is string => typeof s === "string") : [];
}

function inputsOf(state: unknown): Record<string, unknown> | undefined {
  return isRecord(state) && isRecord(state.inputs) ? state.inputs : undefined;
}

interface StepGroup {
  urn: string;
  ops: string[];
  steps: Record<string, unknown>[];
}

function actionOf(group: StepGroup): Check<PlanAction> {
  const ops = new Set(group.ops);
  if ([...ops].some((op) => REPLACE_OPS.has(op)) || (ops.has("create") && ops.has("delete"))) {
    return { ok: true, value: "replace" };
  }
  const loud = [...ops].filter((op) => QUIET_OPS[op] === undefined);
  for (const op of loud) {
    if (SINGLE_OPS[op] === undefined) {
      return fail(
        `steps for ${group.urn}: unknown op "${op.slice(0, 50)}"; flowgate does not summarise what it cannot classify`,
      );
    }
  }
  if (loud.length > 1)
    return fail(`steps for ${group.urn}: unexpected combination of ops ${JSON.stringify(loud)}`);
  const only = loud[0];
  if (only !== undefined) return { ok: true, value: SINGLE_OPS[only] as PlanAction };
  return { ok: true, value: (QUIET_OPS[group.ops[0] ?? "same"] ?? "no-op") as PlanAction };
}

function changedOf(group: StepGroup, oldInputs: unknown, newInputs: unknown): string[] {
  const names = new Set<string>();
  for (const step of group.steps) {
    for (const k of [...stringList(step.diffReasons), ...stringList(step.replaceReasons)]) {
      names.add(topLevelProperty(k));
    }
    if (isRecord(step.detailedDiff))
      for (const k of Object.keys(step.detailedDiff)) names.add(topLevelProperty(k));
  }
  if (names.size === 0 && isRecord(oldInputs) && isRecord(newInputs)) {
    // No diff reported: fall back to comparing the inputs.
    for (const k of new Set([...Object.keys(oldInputs), ...Object.keys(newInputs)])) {
      if (JSON.stringify(oldInputs[k] ?? null) !== JSON.stringify(newInputs[k] ?? null)) names.add(k);
    }
  }
  names.delete("");
  return [...names].sort();
}

function errorDiagnostics(doc: Record<string, unknown>): number {
  if (!Array.isArray(doc.diagnostics)) return 0;
  return doc.diagnostics.filter((d) => isRecord(d) && d.severity === "error").length;
}

/** Reads a preview digest; refuses failed previews and steps it cannot classify. */
export function readPulumiPreview(doc: Record<string, unknown>): Check<PulumiPreview> {
  const errors = errorDiagnostics(doc);
  if (errors > 0) {
    return fail(
      `the preview failed: pulumi reported ${errors} error${errors === 1 ? "" : "s"}; no changes can be summarised (see the workflow run's log)`,
    );
  }
  if (doc.steps !== undefined && !Array.isArray(doc.steps)) return fail("steps is not a list");
  const groups = new Map<string, StepGroup>();
  for (const [i, step] of ((doc.steps as unknown[] | undefined) ?? []).entries()) {
    if (!isRecord(step) || typeof step.urn !== "string" || typeof step.op !== "string") {
      return fail(`steps[${i}] needs a string "urn" and "op"`);
    }
    const group = groups.get(step.urn) ?? { urn: step.urn, ops: [], steps: [] };
    group.ops.push(step.op);
    group.steps.push(step);
    groups.set(step.urn, group);
  }
  const resources: PulumiResource[] = [];
  for (const group of groups.values()) {
    const urn = parseUrn(group.urn);
    if (urn === undefined) return fail(`steps: "${group.urn.slice(0, 200)}" is not a Pulumi URN`);
    const action = actionOf(group);
    if (!action.ok) return action;
    const newState = group.steps.map((s) => s.newState).find(isRecord);
    const oldState = group.steps.map((s) => s.oldState).find(isRecord);
    const type = [newState?.type, oldState?.type].find((t): t is string => typeof t === "string") ?? urn.type;
    if (type === ROOT_STACK_TYPE) continue;
    const oldInputs = inputsOf(oldState);
    const newInputs = inputsOf(newState);
    const partial = action.value === "update" || action.value === "replace";
    resources.push({
      urn: group.urn,
      address: `${urn.qualifiedType}::${urn.name}`,
      type,
      name: urn.name,
      action: action.value,
      ops: group.ops,
      changedAttributes: partial ? changedOf(group, oldInputs, newInputs) : [],
      replaceReasons: [
        ...new Set(group.steps.flatMap((s) => stringList(s.replaceReasons)).map(topLevelProperty)),
      ],
      oldInputs,
      newInputs,
    });
  }
  const claimed = claimedChanges(doc.changeSummary);
  if (claimed > 0 && !resources.some((r) => r.action !== "no-op" && r.action !== "read")) {
    return fail(
      `changeSummary reports ${claimed} changes but the steps list none; run \`pulumi preview --json\` again`,
    );
  }
  return { ok: true, value: { resources } };
}

/** Changes the summary counts (everything but `same`), to catch a digest whose steps were left out. */
function claimedChanges(summary: unknown): number {
  if (!isRecord(summary)) return 0;
  return Object.entries(summary)
    .filter(([op, n]) => op !== "same" && QUIET_OPS[op] === undefined && typeof n === "number")
    .reduce((total, [, n]) => total + (n as number), 0);
}

/** The resources a preview changes (sames and reads left out), in step order. */
export function pulumiResources(preview: PulumiPreview): ResultResource[] {
  return preview.resources
    .filter((r) => r.action !== "no-op" && r.action !== "read")
    .map((r) => ({
      address: r.address,
      type: r.type,
      action: r.action,
      changedAttributes: r.changedAttributes,
    }));
}
