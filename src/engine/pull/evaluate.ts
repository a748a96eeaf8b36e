import type { Stack } from "../../config/types.js";
import {
  configurationApproval,
  countApprovals,
  DEFAULT_CONFIGURATION_APPROVAL,
  type StackApproval,
} from "../approvals.js";
import { evaluateGate, type GateDecision, gateBlocks } from "../gates.js";
import {
  decidePull,
  type PlanView,
  type PullDecision,
  type PullView,
  type StackView,
} from "../pull-decision.js";
import { describeProvenance } from "../resolve/provenance.js";
import type { Resolution } from "../resolve/resolve.js";
import { planJobId } from "../stack-job/ids.js";
import { answerApprovalRequests, type PullLevelApproval } from "./approval-replies.js";
import { planViewOf, waitsForCommand } from "./plan-view.js";
import type { PullSnapshot, StackFacts } from "./snapshot.js";

/** What the PR approved for a stack: offered for carry-over after the merge (SPEC §4). */
export interface ApprovedPlan {
  headSha: string;
  fingerprint: string;
  approvers: string[];
}

/** One thing the evaluation asks to be written, in the order it must happen. */
export type PullWrite =
  | { kind: "start-plan"; stack: Stack; resolution: Resolution }
  /** the PR watches the gate, open or closed: closing it must hold the PR again at once */
  | { kind: "watch-gate"; gate: string }
  | { kind: "remember-approval"; stack: string; approved: ApprovedPlan | undefined }
  /** from the plan being ready to the last approval that met the rule */
  | { kind: "observe-approval-wait"; policy: string; seconds: number }
  /** each standing rejection is counted once, under the policy of the stack it blocks */
  | { kind: "count-rejection"; stack: string; eventId: string; policy: string }
  | { kind: "answer-command"; requestId: string; ok: boolean; lines: string[] }
  /** stored before the checks are written: whoever sees the check (a merge queue) finds this verdict */
  | { kind: "store-verdict" }
  | { kind: "plan-check"; view: StackView; text?: string; runUrl?: string }
  | { kind: "aggregate-check" }
  | { kind: "sticky" }
  | { kind: "auto-merge" }
  /** evaluate again at the next moment the answer can change, with no webhook needed (SPEC §2.2) */
  | { kind: "evaluate-at"; at: Date }
  | { kind: "audit-config-invalid"; reason: string };

export interface PullEvaluation {
  pullView: PullView;
  stackViews: StackView[];
  decision: PullDecision;
  writes: PullWrite[];
}

function undefinedGate(name: string): GateDecision {
  return {
    name,
    open: false,
    state: "closed",
    source: "default",
    reason: `gate ${name} is not defined: it counts as closed`,
  };
}

/** The stack's plan for the current head: the job's state, one to start, or why none starts (SPEC §3 step 5). */
function planOf(snapshot: PullSnapshot, s: StackFacts, writes: PullWrite[]): PlanView {
  const { pull } = snapshot;
  if (!s.resolution.flow.previewBeforeUpdateOrDestroy) return { state: "not-required" };
  if (s.planJob) return planViewOf(s.planJob);
  const why = waitsForCommand(pull, s.resolution);
  if (why) return { state: "waiting-command", why };
  writes.push({ kind: "start-plan", stack: s.stack, resolution: s.resolution });
  const { repoId } = pull.repo;
  // a new plan job is made ready at once, which starts its run: it shows as running
  return {
    state: "running",
    jobId: planJobId(repoId, pull.facts.number, s.stack.name, pull.facts.headSha, 1),
  };
}

function gatesOf(snapshot: PullSnapshot, s: StackFacts, writes: PullWrite[]): GateDecision[] {
  const gates: GateDecision[] = [];
  for (const name of s.resolution.flow.gates) {
    const gate = snapshot.config.gates.get(name);
    if (!gate) {
      gates.push(undefinedGate(name));
      continue;
    }
    if (!gateBlocks(gate, "merge")) continue;
    const lost = snapshot.lostSince ? { stateLostSince: snapshot.lostSince } : undefined;
    gates.push(evaluateGate(gate, s.gateToggles[name], snapshot.now, lost));
    writes.push({ kind: "watch-gate", gate: name });
  }
  return gates;
}

/** Remember what was approved on which plan: after the merge it carries over when the plan is unchanged. */
function rememberApproval(snapshot: PullSnapshot, s: StackFacts, view: StackView, writes: PullWrite[]): void {
  const { headSha } = snapshot.pull.facts;
  const plan = view.plan.state === "succeeded" ? s.planJob?.plan : undefined;
  const approved =
    plan && view.approval.satisfied && view.approval.required > 0
      ? { headSha, fingerprint: plan.fingerprint, approvers: view.approval.counted.map((c) => c.login) }
      : undefined;
  const policy = view.resolution.policy.policy;
  if (approved && plan && s.approvedHead !== headSha) {
    const lastApproval = Math.max(...view.approval.counted.map((c) => c.at.getTime()));
    const seconds = Math.max(0, (lastApproval - Date.parse(plan.finishedAt)) / 1000);
    writes.push({ kind: "observe-approval-wait", policy, seconds });
  }
  for (const b of view.approval.blockedBy)
    writes.push({ kind: "count-rejection", stack: view.stack.name, eventId: b.eventId, policy });
  writes.push({ kind: "remember-approval", stack: view.stack.name, approved });
}

/**
 * Everything flowgate shows on an open PR, decided from a snapshot of the facts (SPEC §3): plans to
 * start, gates, approvals counted, the `flowgate` verdict, and the list of writes that show it.
 */
export function decidePullEvaluation(snapshot: PullSnapshot): PullEvaluation {
  const { pull, now, config } = snapshot;
  const { facts } = pull;
  const writes: PullWrite[] = [];

  const partial = snapshot.stacks.map((s) => ({
    facts: s,
    view: {
      stack: s.stack,
      resolution: s.resolution,
      files: s.files,
      plan: planOf(snapshot, s, writes),
      gates: gatesOf(snapshot, s, writes),
    },
  }));

  const approvalBase = {
    headSha: facts.headSha,
    ...(pull.headPushedAt ? { headPushedAt: new Date(pull.headPushedAt) } : {}),
    ...(pull.baseChangedAt ? { baseChangedAt: new Date(pull.baseChangedAt) } : {}),
    author: facts.author,
    pushers: snapshot.pushers,
    events: snapshot.events,
    permissions: snapshot.people.permissions,
    teamMembers: snapshot.people.teamMembers,
  };
  const approvals = countApprovals({
    ...approvalBase,
    stacks: partial.map(({ view }) => {
      const finished = view.plan.state === "succeeded" ? new Date(view.plan.finishedAt) : undefined;
      return {
        stack: view.stack.name,
        approvalRequired: view.resolution.flow.pauseBetweenPreviewAndUpdateOrDestroy,
        rule: view.resolution.approvalRule.rule,
        ruleSource: describeProvenance(view.resolution.approvalRule.provenance),
        planRequired: view.resolution.flow.previewBeforeUpdateOrDestroy,
        ...(finished ? { planFinishedAt: finished } : {}),
      };
    }),
  });
  const stackViews: StackView[] = partial.map(({ view }, i) => ({ ...view, approval: approvals[i]! }));
  for (const [i, { facts: s }] of partial.entries()) rememberApproval(snapshot, s, stackViews[i]!, writes);

  const unownedApproval: StackApproval | undefined = snapshot.unownedInfra.length
    ? configurationApproval({
        ...approvalBase,
        rule: DEFAULT_CONFIGURATION_APPROVAL,
        ruleSource: "unowned infrastructure files",
      })
    : undefined;
  const configApproval = config.change
    ? configurationApproval({
        ...approvalBase,
        rule: config.change.rule.rule,
        ruleSource: describeProvenance(config.change.rule.provenance),
      })
    : undefined;
  const pullLevel: PullLevelApproval[] = [
    ...(unownedApproval ? [{ label: "infrastructure files no stack owns", approval: unownedApproval }] : []),
    ...(configApproval ? [{ label: "configuration change", approval: configApproval }] : []),
  ];
  const names = stackViews.map((v) => v.stack.name);
  for (const answer of answerApprovalRequests(snapshot.approvalRequests, names, approvals, pullLevel))
    writes.push({ kind: "answer-command", ...answer });

  const pullView: PullView = {
    number: facts.number,
    headSha: facts.headSha,
    draft: facts.draft,
    fork: facts.fork,
    trusted: snapshot.trusted,
    labels: facts.labels,
    configErrors: config.errors,
    ...(snapshot.files.complete
      ? {}
      : { filesIncomplete: { listed: snapshot.files.listed, changed: snapshot.files.changed } }),
    unowned: { files: snapshot.unownedInfra, ...(unownedApproval ? { approval: unownedApproval } : {}) },
    ...(configApproval ? { configChange: { approval: configApproval } } : {}),
    ...(snapshot.override ? { override: snapshot.override } : {}),
  };
  const decision = decidePull(pullView, stackViews);
  writes.push({ kind: "store-verdict" });

  for (const [i, view] of stackViews.entries()) {
    const s = partial[i]!.facts;
    const runUrl = "runUrl" in view.plan ? view.plan.runUrl : undefined;
    const text = view.plan.state === "succeeded" ? s.planText : undefined;
    writes.push({ kind: "plan-check", view, ...(text ? { text } : {}), ...(runUrl ? { runUrl } : {}) });
  }
  writes.push({ kind: "aggregate-check" }, { kind: "sticky" });
  writes.push({ kind: "auto-merge" });

  const moments = [
    ...stackViews.flatMap((v) => (v.resolution.nextChangeAt ? [v.resolution.nextChangeAt] : [])),
    ...stackViews.flatMap((v) => v.gates.flatMap((g) => (g.nextChangeAt ? [g.nextChangeAt] : []))),
  ].filter((d) => d.getTime() > now.getTime());
  if (moments.length)
    writes.push({ kind: "evaluate-at", at: new Date(Math.min(...moments.map((d) => d.getTime()))) });
  if (config.errors.length) writes.push({ kind: "audit-config-invalid", reason: config.errors[0]! });
  return { pullView, stackViews, decision, writes };
}
