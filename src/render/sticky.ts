import type { PullDecision, PullView, StackView } from "../engine/pull-decision.js";
import { describeProvenance } from "../engine/resolve/provenance.js";
import { stepsLine } from "../engine/steps.js";
import { code, cut, escapeText } from "./markdown.js";
import { approvalDetails, stackTable, unownedFilesSection, unownedState } from "./pull-checks.js";

/** Finds flowgate's own comment (together with its author being the app, SPEC §3 step 6). */
export const STICKY_MARKER = "<!-- flowgate:sticky -->";
export const COMMENT_LIMIT = 65_536;

const ICON = { success: "✅", failure: "❌", pending: "⏳" } as const;

export interface StickyExtras {
  /** sections added by other parts of the flow (configuration change explain, apply progress) */
  sections?: string[];
}

export function renderSticky(
  pull: PullView,
  decision: PullDecision,
  stacks: readonly StackView[],
  extras: StickyExtras = {},
): string {
  const parts: string[] = [
    STICKY_MARKER,
    `### flowgate ${ICON[decision.conclusion]} ${escapeText(decision.title, 300)}`,
  ];
  parts.push(
    `Head ${code(pull.headSha.slice(0, 7))}${pull.override ? ` — **break-glass override by @${pull.override.login}**: ${escapeText(pull.override.reason, 300)}` : ""}`,
  );
  if (decision.blocking.length)
    parts.push(decision.blocking.map((b) => `- ${escapeText(b, 1000)}`).join("\n"));
  if (stacks.length === 0 && pull.unowned.files.length === 0 && decision.conclusion === "success")
    parts.push("No stacks affected by this change.");
  const table = stackTable(stacks, decision);
  if (table) parts.push(table);
  for (const [i, view] of stacks.entries()) {
    const r = decision.stacks[i]!;
    const lines = [
      `<details${r.ready ? "" : " open"}><summary><b>${escapeText(view.stack.name)}</b> — ${r.ready ? "ready" : escapeText(r.nextStep, 200)}</summary>`,
      "",
      `- policy ${escapeText(describeProvenance(view.resolution.policy))}; after merge: ${stepsLine(view.resolution.flow)}`,
      `- files: ${view.files
        .slice(0, 10)
        .map((f) => code(f))
        .join(", ")}${view.files.length > 10 ? ` and ${view.files.length - 10} more` : ""}`,
      ...r.waitingFor.map((w) => `- waiting for ${escapeText(w, 800)}`),
      ...approvalDetails(view),
      ...view.resolution.notes.slice(0, 5).map((n) => `- note: ${escapeText(n, 300)}`),
      `- next step: ${r.nextStep}`,
      "",
      "</details>",
    ];
    parts.push(lines.join("\n"));
  }
  if (pull.unowned.files.length > 0) {
    parts.push(unownedFilesSection(pull.unowned.files, unownedState(pull)));
  }
  parts.push(...(extras.sections ?? []));
  parts.push(
    `Auto-merge: ${decision.autoMerge.eligible ? "yes" : "no"} — ${escapeText(decision.autoMerge.reason)}`,
  );
  parts.push(
    '<sub>Commands: `/plan`, `/approve`, `/reject`, `/open-gate`, `/override --reason "..."`, `/flowgate help`</sub>',
  );
  return cut(parts.join("\n\n"), COMMENT_LIMIT, "… cut to GitHub's comment limit.");
}
