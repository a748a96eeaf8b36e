import type { EffectiveFlow } from "./resolve/resolve.js";

export interface JobStep {
  /** machine name, stable for JSON output */
  step: "pending" | "await-start" | "refresh" | "plan" | "await-approval" | "apply";
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
  return steps;
}

/** The one-line form the seed uses: "Push config → Refresh → Plan → ⏸️ Wait for approval → Apply". */
export function stepsLine(flow: EffectiveFlow): string {
  const names: Record<JobStep["step"], string> = {
    pending: "Pending (nothing until /apply)",
    "await-start": "Wait for /apply",
    refresh: "Refresh",
    plan: "Plan",
    "await-approval": "Wait for approval",
    apply: "Apply",
  };
  return ["Merge", ...jobSteps(flow).map((s) => names[s.step])].join(" → ");
}
