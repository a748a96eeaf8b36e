import type { ApprovalRule } from "../../config/types.js";
import { type PlanFacts, planExprVars } from "../../engine/plan-vars.js";
import type { Resolution } from "../../engine/resolve/resolve.js";
import { buildPolicyIndex, resolveStack } from "../../engine/resolve.js";
import type { JobControls, StackJob } from "../../engine/stack-job/types.js";
import type { ExprVars } from "../../lang/expressions.js";
import type { Runtime } from "../../runtime/runtime.js";

/** What the merge decided for an apply job, kept next to it (`keys.jobRule`). */
export interface StoredJobRule {
  rule: ApprovalRule | null;
  policyFingerprint?: string;
  /** what expressions saw at the merge, before any plan */
  vars?: ExprVars;
  /** false when the change came from a fork or an author without write permission (SPEC §5.1) */
  trusted?: boolean;
}

export async function storedJobRule(rt: Runtime, jobId: string): Promise<StoredJobRule | undefined> {
  return rt.applies.jobRule<StoredJobRule>(jobId);
}

/**
 * The stack's policy resolved again with the apply job's plan, from the configuration at the job's
 * commit: the merge resolved it before any plan ran, when `conditions` and approval rules that read
 * the plan match nothing. Undefined for jobs the merge kept no variables for.
 */
export async function resolveWithPlan(
  rt: Runtime,
  job: StackJob,
  plan: PlanFacts,
): Promise<{ stored: StoredJobRule; resolution: Resolution | undefined } | undefined> {
  const stored = await storedJobRule(rt, job.id);
  if (!stored?.vars) return undefined;
  const now = rt.clock.now();
  const repo = { installationId: job.installationId, owner: job.owner, repo: job.repo };
  const config = await rt.config.read((ref) => rt.github(ref), repo, { ref: job.sha, now });
  // A commit's configuration does not change: an error reading it passes, so try again later.
  if (config.sourceErrors.length) throw new Error(`cannot read the configuration: ${config.sourceErrors[0]}`);
  const stack = config.stacks.find((s) => s.name === job.stack);
  if (!stack || config.errors.length) return { stored, resolution: undefined };
  const resolution = resolveStack(buildPolicyIndex(config.policies, now), stack, {
    org: job.owner,
    now,
    vars: { ...stored.vars, ...planExprVars(plan) },
    trusted: stored.trusted !== false,
  });
  return { stored, resolution };
}

/**
 * The stack's controls resolved again at this moment, from the configuration at the job's commit, for
 * the job's dispatch (SPEC §2.2: schedules decide for an apply when it is dispatched). Undefined when
 * the merge kept no variables or the configuration cannot be used (the job keeps its controls).
 */
export async function controlsAtDispatch(rt: Runtime, job: StackJob): Promise<JobControls | undefined> {
  const stored = await storedJobRule(rt, job.id);
  if (!stored?.vars) return undefined;
  const now = rt.clock.now();
  const repo = { installationId: job.installationId, owner: job.owner, repo: job.repo };
  const config = await rt.config.read((ref) => rt.github(ref), repo, { ref: job.sha, now });
  const stack = config.stacks.find((s) => s.name === job.stack);
  if (!stack || config.errors.length || config.sourceErrors.length) return undefined;
  const r = resolveStack(buildPolicyIndex(config.policies, now), stack, {
    org: job.owner,
    now,
    vars: stored.vars,
    trusted: stored.trusted !== false,
  });
  if (r.errors.length) return undefined;
  const f = r.flow;
  return {
    isManual: f.isManual,
    disableOnLifecycleEvents: f.disableOnLifecycleEvents,
    skipRefresh: f.skipRefresh,
    previewBeforeUpdateOrDestroy: f.previewBeforeUpdateOrDestroy,
    pauseBetweenPreviewAndUpdateOrDestroy: f.pauseBetweenPreviewAndUpdateOrDestroy,
  };
}

/**
 * The approval rule an apply job waits under: the merge's choice until the job has a plan, then the
 * choice made with it (`risk == 'high'` needs the plan). A rule that cannot be decided approves
 * nothing (fail closed): only break-glass passes then.
 */
export async function applyApprovalRule(rt: Runtime, job: StackJob): Promise<ApprovalRule | null> {
  if (!job.plan) return (await storedJobRule(rt, job.id))?.rule ?? null;
  const decided = await resolveWithPlan(rt, job, job.plan);
  if (!decided) return (await storedJobRule(rt, job.id))?.rule ?? null;
  const { stored, resolution } = decided;
  if (!resolution) return stored.rule;
  return resolution.errors.length ? null : resolution.approvalRule.rule;
}

/**
 * Whether the job pauses for approval after this plan, as the policy decides with it (a condition may
 * lower the pause for harmless plans). Undefined: keep what the merge decided.
 */
export async function pauseAfterPlan(
  rt: Runtime,
  job: StackJob,
  plan: PlanFacts,
): Promise<boolean | undefined> {
  const decided = await resolveWithPlan(rt, job, plan);
  const resolution = decided?.resolution;
  if (!resolution) return undefined;
  // Undecidable expressions keep the pause (fail closed).
  return resolution.errors.length ? true : resolution.flow.pauseBetweenPreviewAndUpdateOrDestroy;
}

/**
 * The stack's policy at the job's commit, with what the merge saw and the job's plan: what verification,
 * progression and rollout read after the merge. Undefined when the configuration there cannot be used.
 */
export async function policyAtCommit(rt: Runtime, job: StackJob): Promise<Resolution | undefined> {
  const stored = await storedJobRule(rt, job.id);
  const now = rt.clock.now();
  const repo = { installationId: job.installationId, owner: job.owner, repo: job.repo };
  const config = await rt.config.read((ref) => rt.github(ref), repo, { ref: job.sha, now });
  const stack = config.stacks.find((s) => s.name === job.stack);
  if (!stack || config.errors.length || config.sourceErrors.length) return undefined;
  return resolveStack(buildPolicyIndex(config.policies, now), stack, {
    org: job.owner,
    now,
    vars: { ...(stored?.vars ?? {}), ...planExprVars(job.plan) },
    trusted: stored?.trusted !== false,
  });
}
