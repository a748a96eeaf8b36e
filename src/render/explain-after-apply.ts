/**
 * The part of `flowgate explain` about the time after the apply (issue #13): the verification checks as they will
 * run (defaults filled in), what a failure does, the environments the stack waits for, and its rollout waves —
 * each with the policy and file that set it.
 */
import { describeProvenance, type Provenance } from "../engine/resolve/provenance.js";
import type { Resolution } from "../engine/resolve/resolve.js";
import { type PlannedCheck, planChecks } from "../engine/verification.js";
import { formatDuration } from "../lang/time/duration.js";

export interface ExplainedAfterApply {
  verify: { checks: PlannedCheck[]; error?: string; setBy: Provenance; text: string };
  onFailure: { value: "hold" | "revert"; setBy: Provenance; text: string };
  progression: { after: string[]; soak?: string; setBy: Provenance; text: string };
  rollout: { waves: number[]; setBy: Provenance; text: string };
}

function describeTiming(check: Extract<PlannedCheck, { schedule: unknown }>): string {
  const { intervalMs, forMs, timeoutMs, failureLimit } = check.schedule;
  const span = forMs === 0 ? "once" : `every ${formatDuration(intervalMs)} for ${formatDuration(forMs)}`;
  const tolerated =
    failureLimit === 0 ? "" : `, ${failureLimit} failure${failureLimit === 1 ? "" : "s"} tolerated`;
  return `${span} (timeout ${formatDuration(timeoutMs)}${tolerated})`;
}

/** One line per check, as a person reads it. */
export function describeCheck(check: PlannedCheck): string {
  switch (check.kind) {
    case "http": {
      const condition = check.condition ? ` and ${check.condition}` : "";
      return `${check.name}: GET ${check.url} expects status ${check.expectStatus}${condition}, ${describeTiming(check)}`;
    }
    case "prometheus":
      return `${check.name}: Prometheus ${check.server} query ${check.query} must satisfy ${check.condition}, ${describeTiming(check)}`;
    case "workflow": {
      const inputs = Object.entries(check.inputs).map(([k, v]) => `${k}=${v}`);
      return `${check.name}: dispatch workflow ${check.file}${inputs.length ? ` with ${inputs.join(", ")}` : ""}; its result.json decides`;
    }
  }
}

export function explainAfterApply(resolution: Resolution): ExplainedAfterApply {
  const { flow, provenance } = resolution;
  const planned = planChecks(flow.verify);
  const checks = planned.ok ? planned.value : [];
  const verifyText = !planned.ok
    ? `cannot run: ${planned.error} (the stack would never count as verified)`
    : checks.length === 0
      ? "none: the stack counts as applied when its apply succeeds"
      : `${checks.length} check${checks.length === 1 ? "" : "s"} must hold after the apply`;
  const { after, soak } = flow.progression;
  return {
    verify: {
      checks,
      ...(planned.ok ? {} : { error: planned.error }),
      setBy: provenance.verify,
      text: verifyText,
    },
    onFailure: {
      value: flow.onFailure,
      setBy: provenance.onFailure,
      text:
        flow.onFailure === "revert"
          ? "revert: open a pull request that reverts the merge's changes to this stack's files"
          : "hold: stop and ask a person",
    },
    progression: {
      after,
      ...(soak === undefined ? {} : { soak }),
      setBy: provenance.progression,
      text:
        after.length === 0
          ? "none: waits for no other environment"
          : `after ${after.join(", ")} applied and verified this commit${soak ? `, then a soak of ${soak}` : ""}`,
    },
    rollout: {
      waves: flow.rollout.waves,
      setBy: provenance.rollout,
      text:
        flow.rollout.waves.length === 0
          ? "all at once with the other stacks of its environment"
          : `waves of ${flow.rollout.waves.join(", ")}, the rest in the last wave; each verified before the next`,
    },
  };
}

export function renderAfterApplyText(a: ExplainedAfterApply): string[] {
  const row = (name: string, text: string, p: Provenance) =>
    `  ${name.padEnd(13)}${text}  — ${describeProvenance(p)}`;
  const lines = ["After the apply:", row("verify", a.verify.text, a.verify.setBy)];
  a.verify.checks.forEach((check, i) => {
    lines.push(`    ${i + 1}. ${describeCheck(check)}`);
  });
  lines.push(row("onFailure", a.onFailure.text, a.onFailure.setBy));
  lines.push(row("progression", a.progression.text, a.progression.setBy));
  lines.push(row("rollout", a.rollout.text, a.rollout.setBy));
  return lines;
}
