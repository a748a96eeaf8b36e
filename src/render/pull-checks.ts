import type { PullDecision, PullView, StackView } from "../engine/pull-decision.js";
import { describeProvenance } from "../engine/resolve/provenance.js";
import type { CheckConclusion, CheckRunInput, CheckStatus } from "../github/port.js";
import { formatSummary } from "../plan/result.js";
import { code, cut, escapeText, fencedWithin } from "./markdown.js";

/** GitHub rejects check output (`summary`, `text`) longer than this many UTF-8 bytes (SPEC §3 step 4). */
export const CHECK_TEXT_LIMIT = 65_535;

export const AGGREGATE_CHECK = "flowgate";
export const planCheckName = (stack: string) => `flowgate/plan: ${stack}`;
export const applyCheckName = (stack: string) => `flowgate/apply: ${stack}`;
export const APPROVE_ACTION = "approve";

function planCell(view: StackView): string {
  const p = view.plan;
  switch (p.state) {
    case "not-required":
      return "not required";
    case "waiting-command":
      return `waiting for \`/plan\``;
    case "queued":
      return "queued";
    case "running":
      return p.runUrl ? `[running](${p.runUrl})` : "running";
    case "waiting-environment":
      return "waiting for environment reviewers";
    case "succeeded":
      return p.runUrl ? `[${formatSummary(p.summary)}](${p.runUrl})` : formatSummary(p.summary);
    default:
      return p.runUrl ? `[${p.state.replace("_", " ")}](${p.runUrl})` : p.state.replace("_", " ");
  }
}

export function approvalCell(view: StackView): string {
  if (!view.resolution.flow.pauseBetweenPreviewAndUpdateOrDestroy) return "not required";
  const a = view.approval;
  const who = a.counted.map((c) => `@${c.login}`).join(", ");
  return `${a.counted.length} of ${a.required}${who ? ` (${who})` : ""}${a.blockedBy.length ? `; rejected by ${a.blockedBy.map((b) => `@${b.login}`).join(", ")}` : ""}`;
}

function gatesCell(view: StackView): string {
  if (view.gates.length === 0) return "—";
  return view.gates.map((g) => `${g.name} ${g.open ? "open" : "closed"}`).join(", ");
}

/** The per-stack table shared by the aggregate check and the sticky comment. */
export function stackTable(stacks: readonly StackView[], decision: PullDecision): string {
  if (stacks.length === 0) return "";
  const rows = stacks.map((view, i) => {
    const r = decision.stacks[i]!;
    const state = r.failed ? `❌ ${escapeText(r.failed, 120)}` : r.ready ? "✅ ready" : "⏳ waiting";
    return `| ${code(view.stack.name)} | ${escapeText(view.stack.environment)} | ${escapeText(view.resolution.policy.policy)} | ${planCell(view)} | ${approvalCell(view)} | ${gatesCell(view)} | ${state} |`;
  });
  return [
    "| stack | environment | policy | plan | approvals | gates | state |",
    "|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}

export function approvalDetails(view: StackView): string[] {
  const lines: string[] = [];
  const a = view.approval;
  if (view.resolution.flow.pauseBetweenPreviewAndUpdateOrDestroy) {
    lines.push(
      `- approvals: ${escapeText(a.summary, 800)} — rule from ${escapeText(describeProvenance(view.resolution.approvalRule.provenance))}`,
    );
  }
  for (const r of a.refused)
    lines.push(`  - @${r.login} (${r.source}) not counted: ${escapeText(r.reason, 200)}`);
  for (const b of a.blockedBy)
    lines.push(`  - @${b.login} rejected${b.reason ? `: ${escapeText(b.reason, 200)}` : ""}`);
  return lines;
}

export function aggregateCheck(
  headSha: string,
  decision: PullDecision,
  stacks: readonly StackView[],
  extra: string[] = [],
): CheckRunInput {
  const status: CheckStatus = decision.conclusion === "pending" ? "in_progress" : "completed";
  const conclusion: CheckConclusion | undefined =
    decision.conclusion === "success" ? "success" : decision.conclusion === "failure" ? "failure" : undefined;
  const parts: string[] = [];
  if (decision.blocking.length)
    parts.push(decision.blocking.map((b) => `- ${escapeText(b, 1000)}`).join("\n"));
  const table = stackTable(stacks, decision);
  if (table) parts.push(table);
  const details = stacks.flatMap((view, i) => {
    const r = decision.stacks[i]!;
    const lines = [
      `**${code(view.stack.name)}** — policy ${escapeText(describeProvenance(view.resolution.policy))}`,
    ];
    for (const w of r.waitingFor) lines.push(`- waiting for ${escapeText(w, 800)}`);
    lines.push(...approvalDetails(view));
    lines.push(`- next step: ${r.nextStep}`);
    return [lines.join("\n")];
  });
  parts.push(...details, ...extra);
  if (decision.autoMerge.eligible || stacks.length > 0)
    parts.push(
      `Auto-merge: ${decision.autoMerge.eligible ? "yes" : "no"} — ${escapeText(decision.autoMerge.reason)}`,
    );
  return {
    name: AGGREGATE_CHECK,
    headSha,
    status,
    ...(conclusion ? { conclusion } : {}),
    title: decision.title,
    summary: cut(
      parts.join("\n\n"),
      CHECK_TEXT_LIMIT,
      "… cut to GitHub's 65,535-byte limit; the sticky comment has the rest.",
    ),
  };
}

export interface PlanCheckExtras {
  text?: string;
  runUrl?: string;
}

export function planCheck(headSha: string, view: StackView, extras: PlanCheckExtras = {}): CheckRunInput {
  const name = planCheckName(view.stack.name);
  const p = view.plan;
  const policy = `Policy: ${escapeText(describeProvenance(view.resolution.policy))}`;
  const base = {
    name,
    headSha,
    ...("jobId" in p ? { externalId: p.jobId } : {}),
    ...(extras.runUrl ? { detailsUrl: extras.runUrl } : {}),
  };
  switch (p.state) {
    case "not-required":
      return {
        ...base,
        status: "completed",
        conclusion: "skipped",
        title: "No plan required",
        summary: `${policy}\n\n\`previewBeforeUpdateOrDestroy\` is false for this stack.`,
      };
    case "waiting-command":
      return {
        ...base,
        status: "queued",
        title: "Waiting for /plan",
        summary: `${policy}\n\n${escapeText(p.why, 500)}`,
      };
    case "queued":
      return { ...base, status: "queued", title: "Plan queued", summary: policy };
    case "running":
      return { ...base, status: "in_progress", title: "Planning", summary: policy };
    case "waiting-environment":
      return { ...base, status: "in_progress", title: "Waiting for environment reviewers", summary: policy };
    case "succeeded": {
      const approvalNeeded =
        view.resolution.flow.pauseBetweenPreviewAndUpdateOrDestroy && !view.approval.satisfied;
      const summary = [`**${formatSummary(p.summary)}**`, policy, ...approvalDetails(view)].join("\n\n");
      const text = extras.text
        ? fencedWithin(
            extras.text,
            "diff",
            CHECK_TEXT_LIMIT,
            `… plan text cut to GitHub's 65,535-byte limit; the full plan is in the run log${extras.runUrl ? `: ${extras.runUrl}` : ""}.`,
          )
        : undefined;
      return {
        ...base,
        status: "completed",
        conclusion: "success",
        title: formatSummary(p.summary),
        summary,
        ...(text ? { text } : {}),
        // An update without `actions` keeps the old buttons on GitHub: once approved, say none.
        actions: approvalNeeded
          ? [{ label: "Approve", description: "Approve this plan", identifier: APPROVE_ACTION }]
          : [],
      };
    }
    default:
      return {
        ...base,
        status: "completed",
        conclusion: p.state === "timed_out" ? "timed_out" : p.state === "cancelled" ? "cancelled" : "failure",
        title: `Plan ${p.state.replace("_", " ")}`,
        summary: `${policy}\n\n${escapeText(p.reason, 2000)}${p.runUrl ? `\n\nRun: ${p.runUrl}` : ""}`,
      };
  }
}

/** SPEC §2.1: a hold for files no stack owns names them, on the check as in the sticky comment. */
export function unownedFilesSection(files: readonly string[], state: string, shown = 30): string {
  const listed = files.slice(0, shown).map((f) => `- ${code(f)}`);
  if (files.length > shown) listed.push(`- … and ${files.length - shown} more`);
  return `**Infrastructure files that belong to no stack** (${state}):\n${listed.join("\n")}`;
}

export function unownedState(pull: PullView): string {
  const approval = pull.unowned.approval;
  if (!approval?.satisfied) return "they hold the PR until an admin or maintainer approves";
  return `approved by ${approval.counted.map((c) => `@${c.login}`).join(", ")}`;
}
