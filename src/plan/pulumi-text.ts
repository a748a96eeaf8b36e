/**
 * The readable preview for Pulumi: one block per resource with the changed inputs. Pulumi writes
 * secrets as `[secret]` in `--json` output; secret envelopes (the signature key) are hidden too,
 * in case a preview was made with secrets shown.
 */
import type { PulumiPreview, PulumiResource } from "./pulumi.js";
import { Placeholder, SENSITIVE, UNKNOWN } from "./redact.js";
import type { PlanSummary } from "./result.js";
import { renderKey, renderValue, TextWriter } from "./text.js";

const SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";
/** What Pulumi writes for a value not known until the update runs. */
const UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SPECIAL = new Placeholder("(asset, archive or resource reference)");
const MAX_CREATE_LINES = 50;

/** A copy of a Pulumi property value fit to show: secrets hidden, unknowns named. */
export function pulumiDisplay(value: unknown): unknown {
  if (value === "[secret]") return SENSITIVE;
  if (value === UNKNOWN_SENTINEL) return UNKNOWN;
  if (Array.isArray(value)) return value.map(pulumiDisplay);
  if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    if (SIGNATURE_KEY in record) return record[SIGNATURE_KEY] === SECRET_SIGNATURE ? SENSITIVE : SPECIAL;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(record)) out[k] = pulumiDisplay(v);
    return out;
  }
  return value;
}

const HEADLINES: Record<string, string> = {
  create: "will be created",
  update: "will be updated in-place",
  delete: "will be deleted",
  replace: "will be replaced",
  import: "will be imported",
};
const SYMBOLS: Record<string, string> = {
  create: " +",
  update: " ~",
  delete: " -",
  replace: "+-",
  import: " =",
};

function byName([a]: [string, unknown], [b]: [string, unknown]): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function bodyLines(r: PulumiResource): string[] {
  if (r.action === "create" || r.action === "import") {
    // `__defaults` and the like are Pulumi's bookkeeping, not inputs anyone wrote.
    const entries = Object.entries(r.newInputs ?? {})
      .filter(([k]) => !k.startsWith("__"))
      .sort(byName);
    const width = Math.max(0, ...entries.map(([k]) => renderKey(k).length));
    const lines = entries
      .slice(0, MAX_CREATE_LINES)
      .map(([k, v]) => `      + ${renderKey(k).padEnd(width)} = ${renderValue(pulumiDisplay(v))}`);
    if (entries.length > MAX_CREATE_LINES)
      lines.push(`        # (${entries.length - MAX_CREATE_LINES} more inputs)`);
    return lines;
  }
  if (r.action !== "update" && r.action !== "replace") return [];
  const width = Math.max(0, ...r.changedAttributes.map((k) => renderKey(k).length));
  return r.changedAttributes.map((k) => {
    const before = pulumiDisplay(r.oldInputs?.[k] ?? null);
    const after = pulumiDisplay(r.newInputs?.[k] ?? null);
    const forces = r.action === "replace" && r.replaceReasons.includes(k) ? " # forces replacement" : "";
    const name = renderKey(k).padEnd(width);
    if (before === null) return `      + ${name} = ${renderValue(after)}${forces}`;
    if (after === null) return `      - ${name} = ${renderValue(before)} -> null${forces}`;
    return `      ~ ${name} = ${renderValue(before)} -> ${renderValue(after)}${forces}`;
  });
}

function resourceBlock(r: PulumiResource): string[] {
  const open = `${SYMBOLS[r.action] ?? "  "} ${r.type} ${JSON.stringify(r.name)}`;
  const body = bodyLines(r);
  const head = `  # ${r.address} ${HEADLINES[r.action] ?? r.action}`;
  return body.length === 0 ? [head, `${open} {}`, ""] : [head, `${open} {`, ...body, "    }", ""];
}

export function pulumiText(preview: PulumiPreview, summary: PlanSummary, budgetBytes?: number): string {
  const out = new TextWriter(budgetBytes);
  const changes = preview.resources.filter((r) => r.action !== "no-op" && r.action !== "read");
  if (changes.length > 0) {
    out.block(["Pulumi will perform the following operations:", ""]);
    for (const r of changes) out.block(resourceBlock(r));
  }
  const imports = changes.filter((r) => r.action === "import").length;
  const footer =
    changes.length === 0
      ? ["No changes. The stack matches the program."]
      : [
          `Preview: ${[
            ...(imports > 0 ? [`${imports} to import`] : []),
            `${summary.add} to create`,
            `${summary.change} to update`,
            `${summary.destroy} to delete`,
            ...(summary.replace > 0 ? [`${summary.replace} to replace`] : []),
          ].join(", ")}.`,
        ];
  return out.finish(footer);
}
