import type { EffectiveFlow } from "./resolve/resolve.js";

export interface JobStep {
  /** machine name, stable for JSON output */
  step:
    | "pending"
    | "await-start"
    | "await-environments"
    | "await-wave"
    | "refresh"
    | "plan"
    | "await-approval"
    | "apply"
    | "verify";
  /** a sentence a person reads */
  text: string;
  /** the control that causes this step */
  control?: string;
}

/** The steps an apply job takes after a merge, as SPEC §4's table says. */
export function jobSteps(flow: EffectiveFlow): JobStep[] {
  const steps: JobStep[] = [];
  if (flow.disableOnLifecycleEvents) {
    steps.push({
      step: "pending",
      text: "no job on merge: the stack stays pending until `/apply` on the merged PR or `flowgate apply --env ENV --all-pending`",
      control: "disableOnLifecycleEvents",
    });
  }
  if (flow.isManual) {
    steps.push({
      step: "await-start",
      text: "wait for `/apply` from an eligible approver before starting",
      control: "isManual",
    });
  }
  steps.push(...beforeStart(flow));
  if (flow.previewBeforeUpdateOrDestroy) {
    if (!flow.skipRefresh)
      steps.push({ step: "refresh", text: "refresh state (drift check)", control: "skipRefresh" });
    steps.push({
      step: "plan",
      text: flow.skipRefresh ? "plan without refreshing state" : "plan",
      control: "previewBeforeUpdateOrDestroy",
    });
    if (flow.pauseBetweenPreviewAndUpdateOrDestroy) {
      steps.push({
        step: "await-approval",
        text: "wait for approval of the plan (an approval given on the PR carries over when the plan is unchanged)",
        control: "pauseBetweenPreviewAndUpdateOrDestroy",
      });
    }
    steps.push({ step: "apply", text: "apply the saved plan" });
  } else {
    steps.push({
      step: "apply",
      text: flow.skipRefresh
        ? "apply directly, without a plan or refresh"
        : "apply directly, without a separate plan",
      control: "previewBeforeUpdateOrDestroy",
    });
  }
  steps.push(...afterApply(flow));
  return steps;
}

/** Progression and rollout: what the job waits for before it starts (issue #13). */
function beforeStart(flow: EffectiveFlow): JobStep[] {
  const steps: JobStep[] = [];
  const { after, soak } = flow.progression;
  if (after.length > 0) {
    steps.push({
      step: "await-environments",
      text: `wait until this commit is applied and verified in ${after.join(", ")} (where it touched stacks there)${soak ? `, then ${soak} more` : ""}`,
      control: "progression",
    });
  }
  if (flow.rollout.waves.length > 0) {
    steps.push({
      step: "await-wave",
      text: `go out in waves of ${flow.rollout.waves.join(", ")} (the rest in the last wave) with the other stacks of its environment this commit touches; wait until the earlier waves are verified`,
      control: "rollout",
    });
  }
  return steps;
}

function afterApply(flow: EffectiveFlow): JobStep[] {
  if (flow.verify.length === 0) return [];
  const n = flow.verify.length;
  const onFailure =
    flow.onFailure === "revert"
      ? "on failure, open a pull request that reverts the change"
      : "on failure, hold and ask a person";
  return [
    {
      step: "verify",
      text: `verify: ${n} check${n === 1 ? "" : "s"} must hold before the stack counts as applied; ${onFailure}`,
      control: "verify",
    },
  ];
}

/** The one-line form the seed uses: "Push config → Refresh → Plan → ⏸️ Wait for approval → Apply". */
export function stepsLine(flow: EffectiveFlow): string {
  const names: Record<JobStep["step"], string> = {
    pending: "Pending (nothing until /apply)",
    "await-start": "Wait for /apply",
    "await-environments": `Wait for ${flow.progression.after.join(", ")}`,
    "await-wave": "Wait for earlier waves",
    refresh: "Refresh",
    plan: "Plan",
    "await-approval": "Wait for approval",
    apply: "Apply",
    verify: "Verify",
  };
  return ["Merge", ...jobSteps(flow).map((s) => names[s.step])].join(" → ");
}
