import { describeJob } from "../engine/stack-job/index.js";
import type { StackJob } from "../engine/stack-job/types.js";
import type { CheckConclusion, CheckRunInput, CheckStatus } from "../github/port.js";
import { formatSummary } from "../plan/result.js";
import type { Verification } from "../state/verifications.js";
import { code, cut, escapeText, fencedWithin } from "./markdown.js";
import { APPROVE_ACTION, applyCheckName, CHECK_TEXT_LIMIT } from "./pull-checks.js";
import { STICKY_MARKER } from "./sticky.js";

function status(job: StackJob): { status: CheckStatus; conclusion?: CheckConclusion } {
  switch (job.status) {
    case "pending":
    case "awaiting_start":
    case "queued":
      return { status: "queued" };
    case "planning":
    case "awaiting_approval":
    case "applying":
      return { status: "in_progress" };
    case "succeeded":
      return { status: "completed", conclusion: "success" };
    case "failed":
      return { status: "completed", conclusion: "failure" };
    case "cancelled":
      return { status: "completed", conclusion: "cancelled" };
    case "timed_out":
      return { status: "completed", conclusion: "timed_out" };
    case "superseded":
      return { status: "completed", conclusion: "skipped" };
  }
}

function steps(job: StackJob): string {
  const c = job.controls;
  const parts = [
    c.disableOnLifecycleEvents ? "pending until `/apply` or `flowgate apply --all-pending`" : undefined,
    c.isManual ? "wait for `/apply`" : undefined,
    c.previewBeforeUpdateOrDestroy || job.forcePause
      ? c.skipRefresh
        ? "plan (no refresh)"
        : "refresh and plan"
      : undefined,
    c.pauseBetweenPreviewAndUpdateOrDestroy || job.forcePause ? "wait for approval" : undefined,
    "apply",
  ].filter(Boolean);
  return parts.join(" → ");
}

export function applyCheck(job: StackJob, planText?: string, waiting?: string): CheckRunInput {
  const s = status(job);
  const d = describeJob(job);
  const runs = job.runs
    .filter((r) => r.htmlUrl || r.runId)
    .map(
      (r) =>
        `- ${r.operation}: ${r.htmlUrl ? `[run ${r.runId}](${r.htmlUrl})` : `run ${r.runId}`} ${r.conclusion ?? r.status}`,
    );
  const summary = [
    `**${escapeText(d.state, 300)}**${waiting ? ` — ${escapeText(waiting, 300)}` : ""}`,
    `Policy: ${escapeText(job.policy.name)} (${escapeText(job.policy.file)}); steps: ${steps(job)}`,
    job.forcePause ? `⏸️ ${escapeText(job.forcePause, 300)}` : "",
    job.plan
      ? `Plan: ${formatSummary(job.plan.summary)} (fingerprint ${code(job.plan.fingerprint.slice(0, 12))})`
      : "",
    job.approval
      ? `Approved by ${job.approval.approvers.map((a) => `@${a}`).join(", ")}${job.approval.carriedOver ? " (carried over from the PR: the plan is unchanged)" : ""}`
      : "",
    `Next step: ${escapeText(d.nextStep, 500)}`,
    runs.length ? runs.join("\n") : "",
    job.history.length
      ? `History:\n${job.history
          .slice(-10)
          .map((h) => `- ${h.at} ${h.status}: ${escapeText(h.note, 200)}`)
          .join("\n")}`
      : "",
  ].filter(Boolean);
  return {
    name: applyCheckName(job.stack),
    headSha: job.sha,
    ...s,
    externalId: job.id,
    title: d.state.slice(0, 200),
    summary: cut(summary.join("\n\n"), CHECK_TEXT_LIMIT, "… cut"),
    ...(planText
      ? {
          text: fencedWithin(
            planText,
            "diff",
            CHECK_TEXT_LIMIT,
            "… plan text cut to GitHub's 65,535-byte limit; the full plan is in the run log.",
          ),
        }
      : {}),
    // An update without `actions` keeps the old buttons on GitHub: once nothing waits, say none.
    actions:
      job.status === "awaiting_approval"
        ? [{ label: "Approve", description: "Approve this apply", identifier: APPROVE_ACTION }]
        : [],
  };
}

/** The merged PR's sticky comment: each stack's progress after the merge and what a person can do next. */
export function renderApplyComment(
  sha: string,
  jobs: readonly StackJob[],
  verifications: ReadonlyMap<string, Pick<Verification, "status" | "reason">> = new Map(),
): string {
  const rows = jobs.map((job) => {
    const d = describeJob(job);
    const run = job.runs.filter((r) => r.htmlUrl).at(-1);
    const v = verifications.get(job.id);
    const state = v ? `${d.state}; verification ${v.status}` : d.state;
    const next = v?.status === "failed" ? `verification failed: ${v.reason}` : d.nextStep;
    return `| ${code(job.stack)} | ${escapeText(job.environment)} | ${escapeText(job.policy.name)} | ${escapeText(state, 160)}${run ? ` ([run](${run.htmlUrl}))` : ""} | ${escapeText(next, 200)} |`;
  });
  const done = jobs.every(
    (j) => j.status === "succeeded" && (verifications.get(j.id)?.status ?? "passed") === "passed",
  );
  return [
    STICKY_MARKER,
    `### flowgate — after the merge ${done ? "✅ applied" : "⏳"}`,
    `Merge commit ${code(sha.slice(0, 7))}. Stacks apply in \`dependsOn\` order, one job per stack at a time.`,
    "| stack | environment | policy | state | next step |",
    "|---|---|---|---|---|",
    ...rows,
    "<sub>Commands on this PR: `/apply [stack ...]`, `/approve [stack ...]`, `/reject`, `/retry [stack ...]`, `/cancel [stack ...]`</sub>",
  ].join("\n");
}
