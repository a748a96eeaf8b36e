import type { ApprovalRule, FlowFieldName, Gate } from "../config/types.js";
import { CONTROL_NAMES } from "../config/types.js";
import { evaluateGate, type GateDecision } from "../engine/gates.js";
import { describeProvenance, type Provenance } from "../engine/resolve/provenance.js";
import type { Resolution } from "../engine/resolve/resolve.js";
import { type JobStep, jobSteps, stepsLine } from "../engine/steps.js";
import { type ExplainedAfterApply, explainAfterApply, renderAfterApplyText } from "./explain-after-apply.js";

export interface ExplainedField {
  value: unknown;
  policy: string;
  file: string;
  line: number;
  via: Provenance["via"];
  detail?: string;
}

export interface ExplainReport {
  stack: {
    name: string;
    kind: string;
    environment: string;
    dir: string;
    paths: string[];
    dependsOn: string[];
    file: string;
    line: number;
  };
  at: string;
  policy: { name: string; file: string };
  policies: Resolution["applied"];
  /** the five controls of SPEC §4, each with its provenance */
  flowControl: Record<(typeof CONTROL_NAMES)[number], ExplainedField>;
  fields: Partial<Record<FlowFieldName, ExplainedField>>;
  steps: JobStep[];
  stepsLine: string;
  approvals: { required: boolean; rule: ApprovalRule | null; reason: string; text: string };
  gates: (GateDecision & { known: boolean; blocks: string[] })[];
  autoMerge: Resolution["autoMerge"];
  /** verification, progression and rollout, each with the policy that set it */
  afterApply: ExplainedAfterApply;
  nextChangeAt?: string;
  notes: string[];
  errors: string[];
}

function field(value: unknown, p: Provenance): ExplainedField {
  return {
    value,
    policy: p.policy,
    file: p.file,
    line: p.line,
    via: p.via,
    ...(p.detail ? { detail: p.detail } : {}),
  };
}

export function describeRule(rule: ApprovalRule | null): string {
  if (!rule) return "no rule matches: only break-glass can pass this change";
  const a = rule.approvers;
  const who: string[] = [];
  if (a.fromTeams?.length) who.push(`teams ${a.fromTeams.join(", ")}`);
  if (a.fromUsers?.length) who.push(`users ${a.fromUsers.join(", ")}`);
  const from = who.length ? ` from ${who.join(" or ")}` : "";
  const perm =
    a.minPermission && a.minPermission !== "write" ? `, ${a.minPermission} permission or higher` : "";
  const n = a.minRequired;
  return `${n} approval${n === 1 ? "" : "s"}${from}${perm}${a.allowAuthor ? " (authors may approve)" : ""}`;
}

/** Everything `flowgate explain` says about one stack, as data (the JSON output) to render. */
export function explainReport(
  resolution: Resolution,
  gatesByName: ReadonlyMap<string, Gate>,
  now: Date,
): ExplainReport {
  const { stack, flow, provenance } = resolution;
  const flowControl = Object.fromEntries(
    CONTROL_NAMES.map((name) => [name, field(flow[name], provenance[name])]),
  ) as ExplainReport["flowControl"];
  const fields: ExplainReport["fields"] = {
    gates: field(flow.gates, provenance.gates),
    approvalRules: field(flow.approvalRules, provenance.approvalRules),
    autoMerge: field(flow.autoMerge, provenance.autoMerge),
    breakGlass: field(flow.breakGlass ?? null, provenance.breakGlass),
    timeouts: field(flow.timeouts, provenance.timeouts),
    planMaxAge: field(flow.planMaxAge, provenance.planMaxAge),
    verify: field(flow.verify, provenance.verify),
    onFailure: field(flow.onFailure, provenance.onFailure),
    progression: field(flow.progression, provenance.progression),
    rollout: field(flow.rollout, provenance.rollout),
  };
  const gates = flow.gates.map((name) => {
    const gate = gatesByName.get(name);
    if (!gate) {
      return {
        name,
        open: false,
        state: "closed" as const,
        source: "default" as const,
        reason: "unknown gate: counts as closed",
        known: false,
        blocks: ["merge", "apply"],
      };
    }
    return {
      ...evaluateGate(gate, undefined, now),
      known: true,
      blocks: gate.blocks.length ? gate.blocks : ["merge", "apply"],
    };
  });
  const stackAt = stack.origin.pos(["metadata", "name"]);
  return {
    stack: {
      name: stack.name,
      kind: stack.kind,
      environment: stack.environment,
      dir: stack.dir,
      paths: stack.paths,
      dependsOn: stack.dependsOn,
      file: stack.origin.file,
      line: stackAt.line,
    },
    at: now.toISOString(),
    policy: { name: resolution.policy.policy, file: resolution.policy.file },
    policies: resolution.applied,
    flowControl,
    fields,
    steps: jobSteps(flow),
    stepsLine: stepsLine(flow),
    approvals: {
      required: flow.pauseBetweenPreviewAndUpdateOrDestroy,
      rule: resolution.approvalRule.rule,
      reason: resolution.approvalRule.reason,
      text: flow.pauseBetweenPreviewAndUpdateOrDestroy
        ? `${describeRule(resolution.approvalRule.rule)} (${resolution.approvalRule.reason}; ${describeProvenance(resolution.approvalRule.provenance)})`
        : "none: pauseBetweenPreviewAndUpdateOrDestroy is false",
    },
    gates,
    autoMerge: resolution.autoMerge,
    afterApply: explainAfterApply(resolution),
    ...(resolution.nextChangeAt ? { nextChangeAt: resolution.nextChangeAt.toISOString() } : {}),
    notes: resolution.notes,
    errors: resolution.errors,
  };
}

function pad(text: string, width: number): string {
  return text.length >= width ? `${text} ` : text + " ".repeat(width - text.length);
}

function where(f: ExplainedField): string {
  if (f.via === "default") return f.policy;
  const at = f.line > 0 ? `${f.file}:${f.line}` : f.file;
  return `${f.policy} (${at}${f.detail ? `, ${f.detail}` : ""})`;
}

export function renderExplainText(r: ExplainReport): string {
  const lines: string[] = [];
  lines.push(
    `Stack ${r.stack.name}  kind ${r.stack.kind}, environment ${r.stack.environment}  (${r.stack.file}:${r.stack.line})`,
  );
  lines.push(
    `  dir ${r.stack.dir}; paths ${r.stack.paths.join(", ")}${r.stack.dependsOn.length ? `; after ${r.stack.dependsOn.join(", ")}` : ""}`,
  );
  lines.push(`Evaluated at ${r.at}`);
  lines.push("");
  lines.push("Policies that select it, least to most specific:");
  if (r.policies.length === 0) lines.push("  (none: built-in defaults apply)");
  for (const p of r.policies)
    lines.push(`  ${pad(p.policy, 34)}${pad(p.selector, 36)}${p.file}${p.enforced ? "  [enforced]" : ""}`);
  lines.push("");
  lines.push("Effective flow control:");
  for (const [name, f] of Object.entries(r.flowControl))
    lines.push(`  ${pad(name, 40)}${pad(String(f.value), 7)}${where(f)}`);
  const gatesField = r.fields.gates;
  if (gatesField)
    lines.push(`  ${pad("gates", 40)}${pad(r.gates.map((g) => g.name).join(", ") || "none", 7)}`);
  lines.push("");
  lines.push(`After a merge: ${r.stepsLine}`);
  for (const [i, s] of r.steps.entries())
    lines.push(`  ${i + 1}. ${s.text}${s.control ? `  (${s.control})` : ""}`);
  lines.push("");
  lines.push(`Approvals: ${r.approvals.text}`);
  if (r.gates.length) {
    lines.push("Gates:");
    for (const g of r.gates)
      lines.push(
        `  ${g.name}: ${g.open ? "open" : "closed"} — ${g.reason} (blocks ${g.blocks.join(" and ")})`,
      );
  }
  lines.push(`Auto-merge: ${r.autoMerge.allowed ? "allowed" : "no"} — ${r.autoMerge.reason}`);
  lines.push("");
  lines.push(...renderAfterApplyText(r.afterApply));
  if (r.nextChangeAt) lines.push(`Next change: ${r.nextChangeAt} (a schedule boundary or an expiry)`);
  for (const n of r.notes) lines.push(`Note: ${n}`);
  for (const e of r.errors) lines.push(`Error: ${e}`);
  return `${lines.join("\n")}\n`;
}
