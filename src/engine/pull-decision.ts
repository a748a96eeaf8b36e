import type { MergeMethod, Stack } from "../config/types.js";
import type { PlanSummary } from "../plan/result.js";
import type { StackApproval } from "./approvals.js";
import type { GateDecision } from "./gates.js";
import type { Resolution } from "./resolve/resolve.js";

/** The state of one stack's plan for the PR's current head. */
export type PlanView =
  | { state: "not-required" }
  | { state: "waiting-command"; why: string }
  | { state: "queued" | "running" | "waiting-environment"; jobId: string; runUrl?: string }
  | { state: "succeeded"; jobId: string; summary: PlanSummary; finishedAt: string; runUrl?: string }
  | { state: "failed" | "cancelled" | "timed_out"; jobId: string; reason: string; runUrl?: string };

export interface StackView {
  stack: Stack;
  resolution: Resolution;
  files: string[];
  plan: PlanView;
  approval: StackApproval;
  /** gates that block merges for this stack */
  gates: GateDecision[];
}

export interface OverrideView {
  login: string;
  at: string;
  reason: string;
}

export interface PullView {
  number: number;
  headSha: string;
  draft: boolean;
  fork: boolean;
  /** false for forks and authors without write permission (SPEC §5.1) */
  trusted: boolean;
  labels: string[];
  /** configuration that cannot be used: the check fails and names each problem */
  configErrors: string[];
  /** changed files could not all be listed (GitHub lists at most 3,000) */
  filesIncomplete?: { listed: number; changed: number };
  unowned: { files: string[]; approval?: StackApproval };
  configChange?: { approval: StackApproval };
  override?: OverrideView;
}

export interface StackReadiness {
  stack: string;
  ready: boolean;
  failed?: string;
  /** what still holds the stack, one sentence each */
  waitingFor: string[];
  nextStep: string;
}

export interface PullDecision {
  conclusion: "success" | "failure" | "pending";
  title: string;
  /** PR-level reasons (configuration, unowned files, configuration change, drafts) */
  blocking: string[];
  stacks: StackReadiness[];
  autoMerge: { eligible: boolean; reason: string; method: MergeMethod };
}

const NO_AUTOMERGE_LABEL = "flowgate:no-automerge";

function stackReadiness(view: StackView, overridden: boolean): StackReadiness {
  const name = view.stack.name;
  const waitingFor: string[] = [];
  let failed: string | undefined;
  let nextStep = "";
  if (view.resolution.errors.length > 0)
    failed = `policy cannot be decided: ${view.resolution.errors.join("; ")}`;
  const plan = view.plan;
  switch (plan.state) {
    case "not-required":
      break;
    case "waiting-command":
      waitingFor.push(`plan: ${plan.why}`);
      nextStep ||= `comment \`/plan ${name}\``;
      break;
    case "queued":
    case "running":
      waitingFor.push("plan: running");
      nextStep ||= "wait for the plan to finish";
      break;
    case "waiting-environment":
      waitingFor.push("plan: waiting for the environment's reviewers in GitHub Actions");
      nextStep ||= "a reviewer of the plan environment approves the run in GitHub Actions";
      break;
    case "succeeded":
      break;
    case "failed":
    case "cancelled":
    case "timed_out":
      failed ??= `plan ${plan.state.replace("_", " ")}: ${plan.reason}`;
      nextStep ||= `fix the change and push, or comment \`/retry ${name}\``;
      break;
  }
  if (!overridden) {
    const a = view.approval;
    if (a.blockedBy.length > 0) {
      failed ??= `rejected by ${a.blockedBy.map((b) => `@${b.login}`).join(", ")}`;
      nextStep ||=
        "address the rejection; it stands until the same person approves or a new commit is pushed";
    } else if (!a.satisfied) {
      waitingFor.push(`approvals: ${a.summary}`);
      if (plan.state === "succeeded" || plan.state === "not-required") {
        nextStep ||= `an eligible approver reviews and comments \`/approve ${name}\` (or presses Approve on the plan check)`;
      }
    }
    for (const gate of view.gates) {
      if (!gate.open) {
        waitingFor.push(`gate ${gate.name}: ${gate.reason}`);
        nextStep ||= `an opener of gate ${gate.name} comments \`/open-gate ${gate.name}\``;
      }
    }
  }
  const ready = failed === undefined && waitingFor.length === 0;
  return {
    stack: name,
    ready,
    ...(failed ? { failed } : {}),
    waitingFor,
    nextStep: ready ? "nothing: ready to merge" : nextStep || "see what it waits for",
  };
}

function mergeMethod(stacks: readonly StackView[]): MergeMethod {
  return stacks.find((s) => s.resolution.flow.autoMerge.method)?.resolution.flow.autoMerge.method ?? "merge";
}

/**
 * Whether the `flowgate` check passes for a PR (SPEC §3 step 4): success only when every affected
 * stack is ready (plan succeeded where required, approvals met, gates open, no rejection); failure
 * when a plan failed, a change was rejected or the configuration is broken; pending otherwise.
 */
export function decidePull(pull: PullView, stacks: readonly StackView[]): PullDecision {
  const overridden = pull.override !== undefined;
  const blocking: string[] = [];
  const failures: string[] = [];
  if (pull.configErrors.length > 0)
    failures.push(
      `configuration error: ${pull.configErrors[0]}${pull.configErrors.length > 1 ? ` (and ${pull.configErrors.length - 1} more)` : ""}`,
    );
  if (pull.filesIncomplete) {
    failures.push(
      `this PR changes ${pull.filesIncomplete.changed} files but GitHub lists only ${pull.filesIncomplete.listed}, so flowgate cannot tell which stacks it affects: split the PR`,
    );
  }
  if (pull.draft) blocking.push("draft: plans start when the PR is marked ready for review");
  // A break-glass override covers the stacks whose policy grants it, never these: files no stack
  // owns and changes to flowgate's own configuration keep their own approval, always.
  if (pull.unowned.files.length > 0 && !pull.unowned.approval?.satisfied) {
    blocking.push(
      `${pull.unowned.files.length} infrastructure file(s) belong to no stack (listed below); an admin or maintainer must approve: ${pull.unowned.approval?.summary ?? "no approval yet"}`,
    );
  }
  if (pull.configChange) {
    const a = pull.configChange.approval;
    if (a.blockedBy.length > 0)
      failures.push(`configuration change rejected by ${a.blockedBy.map((b) => `@${b.login}`).join(", ")}`);
    else if (!a.satisfied) blocking.push(`configuration change needs approval: ${a.summary}`);
  }
  const readiness = stacks.map((s) => stackReadiness(s, overridden));
  for (const r of readiness) if (r.failed) failures.push(`${r.stack}: ${r.failed}`);

  const waitingStacks = readiness.filter((r) => !r.ready && !r.failed);
  let conclusion: PullDecision["conclusion"];
  let title: string;
  if (failures.length > 0) {
    conclusion = "failure";
    title = failures.length === 1 ? failures[0]! : `${failures.length} problems: ${failures[0]}`;
  } else if (blocking.length > 0 || waitingStacks.length > 0) {
    conclusion = "pending";
    const parts = [
      ...blocking.map((b) => b.split(":")[0]!),
      ...waitingStacks.map((w) => `${w.stack} (${w.waitingFor.map((x) => x.split(":")[0]).join(", ")})`),
    ];
    title = `Waiting: ${parts.join("; ")}`;
  } else {
    conclusion = "success";
    // SPEC §2.1: approved infrastructure files that no stack owns never pass as "no stacks affected".
    title =
      stacks.length > 0
        ? `${stacks.length} stack${stacks.length === 1 ? "" : "s"} ready${overridden ? " (break-glass override)" : ""}`
        : pull.unowned.files.length > 0
          ? `No stack affected; ${pull.unowned.files.length} infrastructure file(s) that no stack owns approved`
          : "No stacks affected";
  }
  if (title.length > 240) title = `${title.slice(0, 237)}...`;

  const autoMerge = ((): PullDecision["autoMerge"] => {
    const method = mergeMethod(stacks);
    if (stacks.length === 0) return { eligible: false, reason: "no stack is affected", method };
    if (pull.configChange)
      return { eligible: false, reason: "a configuration change is never merged automatically", method };
    if (pull.fork || !pull.trusted)
      return { eligible: false, reason: "never for a fork or an author without write permission", method };
    if (pull.labels.includes(NO_AUTOMERGE_LABEL))
      return { eligible: false, reason: `label ${NO_AUTOMERGE_LABEL}`, method };
    if (overridden)
      return { eligible: false, reason: "a break-glass override is never merged automatically", method };
    const refusing = stacks.find((s) => !s.resolution.autoMerge.allowed);
    if (refusing)
      return {
        eligible: false,
        reason: `${refusing.stack.name}: ${refusing.resolution.autoMerge.reason}`,
        method,
      };
    if (conclusion !== "success") return { eligible: false, reason: "flowgate is not success yet", method };
    return { eligible: true, reason: "every stack allows auto-merge and flowgate is success", method };
  })();

  return { conclusion, title, blocking: [...failures, ...blocking], stacks: readiness, autoMerge };
}
