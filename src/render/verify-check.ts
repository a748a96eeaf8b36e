import type { StackJob } from "../engine/stack-job/types.js";
import type { CheckRunInput } from "../github/port.js";
import type { Verification } from "../state/verifications.js";
import { escapeText } from "./markdown.js";

export const verifyCheckName = (stack: string) => `flowgate/verify: ${stack}`;

const TITLES = { running: "Verifying", passed: "Verified", failed: "Verification failed" } as const;

/** What a person can do about a failed verification (issue 13: `onFailure`). */
function nextStep(v: Verification, job: StackJob): string {
  const held = `The stacks that depend on \`${job.stack}\` do not start.`;
  if (v.onFailure === "revert")
    return `${held} \`onFailure: revert\`: ${escapeText(v.rollback?.message ?? "opening the revert PR", 500)}.`;
  return `${held} Fix the cause and merge a fix (or a revert) to apply again.`;
}

/** The `flowgate/verify: <stack>` check on the merge commit: each check, its samples, the outcome. */
export function verifyCheck(job: StackJob, v: Verification): CheckRunInput {
  const rows = v.checks.map((_, i) => {
    const p = v.progress[i];
    const name = p?.name ?? `check ${i + 1}`;
    const passed = p?.samples.filter((s) => s.ok).length ?? 0;
    const state = p?.verdict ?? "waiting";
    return `| ${escapeText(name, 100)} | ${state} | ${passed} of ${p?.samples.length ?? 0} | ${escapeText(p?.reason ?? "no sample yet", 300)} |`;
  });
  const summary = [
    `Checks from ${escapeText(v.source, 300)}, after the apply of \`${job.stack}\` at ${job.sha.slice(0, 7)}.`,
    "",
    "| check | state | samples passed | last |",
    "|---|---|---|---|",
    ...rows,
    "",
    escapeText(v.reason, 1000),
    ...(v.status === "failed" ? ["", nextStep(v, job)] : []),
  ].join("\n");
  return {
    name: verifyCheckName(job.stack),
    headSha: job.sha,
    externalId: job.id,
    status: v.status === "running" ? "in_progress" : "completed",
    ...(v.status === "running" ? {} : { conclusion: v.status === "passed" ? "success" : "failure" }),
    title: TITLES[v.status],
    summary,
  };
}
