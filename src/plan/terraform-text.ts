/**
 * The readable plan for Terraform/OpenTofu, in the style of `terraform plan`: drift first, then
 * the actions, output changes and the counts. Every value goes through `redact`, so sensitive
 * values (at any depth, before or after) appear only as `(sensitive value)`.
 */
import { redact, SENSITIVE, unionMask, withUnknowns } from "./redact.js";
import type { PlanSummary } from "./result.js";
import { changedAttributes, type TerraformPlan, type TfChange, type TfOutputChange } from "./terraform.js";
import { renderKey, renderValue, TextWriter } from "./text.js";

/** Attribute lines shown for one created resource; the rest are counted. */
const MAX_CREATE_LINES = 50;

const DELETE_REASONS: Record<string, (c: TfChange) => string> = {
  delete_because_no_resource_config: (c) => `because ${c.address} is not in configuration`,
  delete_because_no_module: () => "because its module is not in configuration",
  delete_because_wrong_repetition: () => "because the resource's count or for_each changed how it repeats",
  delete_because_count_index: () => "because its index is out of range for count",
  delete_because_each_key: () => "because its key is not in for_each",
  delete_because_no_move_target: () => "because the target of its move is not in configuration",
};

const READ_REASONS: Record<string, string> = {
  read_because_config_unknown: "its configuration refers to values not yet known",
  read_because_dependency_pending: "it depends on a resource or module with changes pending",
  read_because_check_nested: "it is inside a check block",
};

function headline(c: TfChange): string {
  const who = c.deposed !== undefined ? `${c.address} (deposed object ${c.deposed})` : c.address;
  switch (c.kind) {
    case "create":
      return c.forgetsOld
        ? `${who} will be created; the object it replaces will be forgotten, not destroyed`
        : `${who} will be created`;
    case "update":
      return `${who} will be updated in-place`;
    case "delete":
      return `${who} will be destroyed`;
    case "replace":
      if (c.actionReason === "replace_because_tainted") return `${who} is tainted, so must be replaced`;
      if (c.actionReason === "replace_by_request") return `${who} will be replaced, as requested`;
      if (c.actionReason === "replace_by_triggers") {
        return `${who} will be replaced due to changes in replace_triggered_by`;
      }
      return `${who} must be replaced`;
    case "forget":
      return `${who} will no longer be managed by Terraform (removed from state, not destroyed)`;
    case "import":
      return `${who} will be imported`;
    case "read":
      return `${who} will be read during apply`;
    case "no-op":
      return `${c.previousAddress ?? who} has moved to ${c.address}`;
  }
}

function symbol(c: TfChange): string {
  switch (c.kind) {
    case "create":
      return "  +";
    case "update":
      return "  ~";
    case "delete":
      return "  -";
    case "replace":
      return c.actions[0] === "create" ? "+/-" : "-/+";
    case "forget":
      return "  .";
    case "read":
      return " <=";
    default:
      return "   ";
  }
}

function reasonLine(c: TfChange): string | undefined {
  if (c.actionReason === undefined) return undefined;
  if (c.kind === "delete") {
    const reason = DELETE_REASONS[c.actionReason];
    return `  # (${reason ? reason(c) : `reason: ${c.actionReason}`})`;
  }
  if (c.kind === "read") {
    const reason = READ_REASONS[c.actionReason];
    return `  # (${reason ?? `reason: ${c.actionReason}`})`;
  }
  return undefined;
}

/** Before and after of one attribute, redacted with both sensitivity masks. */
function attributeValues(c: TfChange, key: string): { before: unknown; after: unknown } {
  const child = (x: unknown): unknown =>
    x === true ? true : typeof x === "object" && x !== null ? (x as Record<string, unknown>)[key] : undefined;
  // A value sensitive on either side is hidden on both.
  const mask = unionMask(child(c.beforeSensitive), child(c.afterSensitive));
  return {
    before: redact(child(c.before) ?? null, mask),
    after: redact(withUnknowns(child(c.after) ?? null, child(c.afterUnknown)), mask),
  };
}

function updateLines(c: TfChange): string[] {
  const changed = changedAttributes(c);
  const width = Math.max(0, ...changed.map((k) => renderKey(k).length));
  const lines = changed.map((key) => {
    const { before, after } = attributeValues(c, key);
    const forces = c.kind === "replace" && c.replaceAttributes.includes(key) ? " # forces replacement" : "";
    const name = renderKey(key).padEnd(width);
    if (before === null) return `      + ${name} = ${renderValue(after)}${forces}`;
    if (after === null) return `      - ${name} = ${renderValue(before)} -> null${forces}`;
    return `      ~ ${name} = ${renderValue(before)} -> ${renderValue(after)}${forces}`;
  });
  const all = new Set([...Object.keys(asObject(c.before)), ...Object.keys(asObject(c.after))]);
  const unchanged = [...all].filter((k) => !changed.includes(k)).length;
  if (unchanged > 0)
    lines.push(`        # (${unchanged} unchanged attribute${unchanged === 1 ? "" : "s"} hidden)`);
  return lines;
}

function createLines(c: TfChange): string[] {
  const after = redact(withUnknowns(c.after, c.afterUnknown), c.afterSensitive);
  if (after === SENSITIVE) return ["        # (all attributes are sensitive)"];
  const entries = Object.entries(asObject(after))
    .filter(([, v]) => v !== null)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const width = Math.max(0, ...entries.map(([k]) => renderKey(k).length));
  const lines = entries
    .slice(0, MAX_CREATE_LINES)
    .map(([k, v]) => `      + ${renderKey(k).padEnd(width)} = ${renderValue(v)}`);
  if (entries.length > MAX_CREATE_LINES) {
    lines.push(`        # (${entries.length - MAX_CREATE_LINES} more attributes not shown)`);
  }
  return lines;
}

function asObject(x: unknown): Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : {};
}

function resourceBlock(c: TfChange, drift = false): string[] {
  const lines = [`  # ${drift ? driftHeadline(c) : headline(c)}`];
  const reason = reasonLine(c);
  if (reason !== undefined) lines.push(reason);
  if (!drift && c.kind !== "no-op" && c.previousAddress !== undefined) {
    lines.push(`  # (moved from ${c.previousAddress})`);
  }
  if (c.importing && c.kind !== "import") lines.push("  # (and imported first)");
  if (c.kind === "no-op") return [...lines, ""];
  const keyword = c.mode === "data" ? "data" : "resource";
  const open = `${symbol(c)} ${keyword} ${JSON.stringify(c.type)} ${JSON.stringify(c.name)}`;
  const body =
    c.kind === "update" || c.kind === "replace" ? updateLines(c) : c.kind === "create" ? createLines(c) : [];
  if (body.length === 0) return [...lines, `${open} {}`, ""];
  return [...lines, `${open} {`, ...body, "    }", ""];
}

function driftHeadline(c: TfChange): string {
  return c.kind === "delete"
    ? `${c.address} has been deleted outside Terraform`
    : `${c.address} has changed outside Terraform`;
}

function outputLine(o: TfOutputChange, width: number): string {
  const mask = unionMask(o.beforeSensitive, o.afterSensitive);
  const before = redact(o.before, mask);
  const after = redact(withUnknowns(o.after, o.afterUnknown), mask);
  const name = renderKey(o.name).padEnd(width);
  if (o.kind === "create") return `  + ${name} = ${renderValue(after)}`;
  if (o.kind === "delete") return `  - ${name} = ${renderValue(before)} -> null`;
  return `  ~ ${name} = ${renderValue(before)} -> ${renderValue(after)}`;
}

function planLine(summary: PlanSummary, imports: number, forgets: number): string {
  const parts = [
    ...(imports > 0 ? [`${imports} to import`] : []),
    `${summary.add} to add`,
    `${summary.change} to change`,
    `${summary.destroy} to destroy`,
    ...(summary.replace > 0 ? [`${summary.replace} to replace`] : []),
    ...(forgets > 0 ? [`${forgets} to forget`] : []),
  ];
  return `Plan: ${parts.join(", ")}.`;
}

export function terraformText(plan: TerraformPlan, summary: PlanSummary, budgetBytes?: number): string {
  const out = new TextWriter(budgetBytes);
  const drift = plan.drift.filter((c) => c.mode === "managed" && c.kind !== "no-op" && c.kind !== "read");
  if (drift.length > 0) {
    out.block(['Changed outside Terraform since the last "terraform apply":', ""]);
    for (const c of drift) out.block(resourceBlock(c, true));
  }
  const shown = plan.changes.filter((c) => c.kind !== "no-op" || c.previousAddress !== undefined);
  const real = shown.filter((c) => c.mode === "managed" && c.kind !== "no-op" && c.kind !== "read");
  if (shown.length > 0) {
    out.block(["Terraform will perform the following actions:", ""]);
    for (const c of shown) out.block(resourceBlock(c));
  }
  if (plan.outputs.length > 0) {
    const width = Math.max(...plan.outputs.map((o) => renderKey(o.name).length));
    out.block(["Changes to Outputs:", ...plan.outputs.map((o) => outputLine(o, width)), ""]);
  }
  const footer: string[] = [];
  if (plan.incomplete)
    footer.push("Note: this plan is incomplete (targeted or deferred); more changes may follow.");
  if (plan.deferredCount > 0)
    footer.push(`Note: ${plan.deferredCount} changes are deferred to a later plan.`);
  if (real.length === 0) {
    footer.push(
      plan.outputs.length > 0
        ? "No changes to infrastructure; applying this plan saves the new output values."
        : "No changes. Your infrastructure matches the configuration.",
    );
  } else {
    const count = (k: string) => real.filter((c) => c.kind === k).length;
    footer.push(planLine(summary, count("import"), count("forget")));
  }
  return out.finish(footer);
}
