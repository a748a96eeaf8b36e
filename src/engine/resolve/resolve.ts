import type {
  ApprovalRule,
  AutoMerge,
  BreakGlass,
  FlowFieldName,
  FlowFields,
  OnFailure,
  Policy,
  Progression,
  Rollout,
  Stack,
  Timeouts,
  VerifyCheck,
} from "../../config/types.js";
import { FLOW_FIELD_NAMES } from "../../config/types.js";
import type { ExprVars } from "../../lang/expressions.js";
import { firstMatchingEntry, nextScheduleChange } from "../../lang/time/schedule.js";
import { BUILT_IN_DEFAULTS } from "./defaults.js";
import { evaluateCondition } from "./evaluate.js";
import { builtInProvenance, describeProvenance, type Provenance, policyProvenance } from "./provenance.js";
import { type IndexedPolicy, matchingPolicies, type PolicyIndex, selects, tiesAmong } from "./selectors.js";

export interface ResolveContext {
  /** the organization (repository owner) the stack belongs to */
  org?: string;
  now: Date;
  /** what expressions see; plan variables are absent before a plan has run */
  vars?: ExprVars;
  /** false for PRs from forks or authors without write permission: plan-reading conditions may only tighten (SPEC §5.1) */
  trusted?: boolean;
  /** a break-glass override bypasses schedules (SPEC §3.2) */
  ignoreSchedules?: boolean;
}

export interface EffectiveFlow {
  isManual: boolean;
  disableOnLifecycleEvents: boolean;
  skipRefresh: boolean;
  previewBeforeUpdateOrDestroy: boolean;
  pauseBetweenPreviewAndUpdateOrDestroy: boolean;
  gates: string[];
  approvalRules: ApprovalRule[];
  autoMerge: AutoMerge;
  breakGlass: BreakGlass | undefined;
  timeouts: Required<Timeouts>;
  planMaxAge: string;
  /** checks that must hold after the apply; empty: none */
  verify: VerifyCheck[];
  onFailure: OnFailure;
  /** `after` empty: waits for no other environment */
  progression: Progression;
  /** `waves` empty: all stacks of the environment at once */
  rollout: Rollout;
}

export interface AppliedPolicy {
  policy: string;
  file: string;
  selector: string;
  enforced: boolean;
}

export interface Resolution {
  stack: Stack;
  flow: EffectiveFlow;
  provenance: Record<FlowFieldName, Provenance>;
  /** every contributor to the union of gates */
  gateSources: { gate: string; provenance: Provenance }[];
  /** the most specific policy that selected the stack (the one a person thinks of as "its policy") */
  policy: Provenance;
  applied: AppliedPolicy[];
  /** things a person should know: expired policies ignored, changes blocked by an enforced policy, ... */
  notes: string[];
  /** the stack cannot be decided (ties, expressions that failed): flowgate fails closed */
  errors: string[];
  approvalRule: { rule: ApprovalRule | null; index: number; provenance: Provenance; reason: string };
  autoMerge: { allowed: boolean; reason: string };
  /** the next moment the answer may change (schedule boundary, expiry) */
  nextChangeAt?: Date;
}

type Values = { -readonly [K in FlowFieldName]-?: FlowFields[K] };

/** Stricter values are the only ones an untrusted change may cause through its plan (SPEC §5.1). */
function tightens(field: FlowFieldName, value: unknown): boolean {
  switch (field) {
    case "isManual":
    case "disableOnLifecycleEvents":
    case "previewBeforeUpdateOrDestroy":
    case "pauseBetweenPreviewAndUpdateOrDestroy":
      return value === true;
    case "skipRefresh":
      return value === false;
    case "gates":
      return true;
    case "autoMerge":
      return (value as AutoMerge).enabled === false;
    default:
      return false;
  }
}

function selectorText(p: Policy): string {
  return p.selector.id === undefined ? p.selector.kind : `${p.selector.kind}/${p.selector.id}`;
}

class FieldState {
  readonly values: Partial<Values> = {};
  readonly provenance: Partial<Record<FlowFieldName, Provenance>> = {};
  readonly locked = new Map<FlowFieldName, Policy>();
  readonly gateSources: { gate: string; provenance: Provenance }[] = [];
  readonly notes: string[] = [];

  /** Sets what `fields` says, honouring enforced locks; `byEnforced` is true for an enforced organization policy. */
  apply(
    fields: FlowFields,
    provenance: Provenance,
    byEnforced: boolean,
    filter?: (f: FlowFieldName, v: unknown) => boolean,
  ): void {
    for (const field of FLOW_FIELD_NAMES) {
      const value = fields[field];
      if (value === undefined) continue;
      if (filter && !filter(field, value)) {
        this.notes.push(
          `${describeProvenance(provenance)} would relax ${field}, but this change comes from a fork or an author without write permission`,
        );
        continue;
      }
      if (field === "gates") {
        for (const gate of value as string[]) this.gateSources.push({ gate, provenance });
        continue;
      }
      const locker = this.locked.get(field);
      if (locker && !byEnforced) {
        this.notes.push(
          `${describeProvenance(provenance)} sets ${field}, ignored: enforced by organization policy ${locker.name} (${locker.origin.file})`,
        );
        continue;
      }
      (this.values as Record<string, unknown>)[field] = value;
      this.provenance[field] = provenance;
    }
  }

  lock(fields: Iterable<FlowFieldName>, policy: Policy): void {
    for (const f of fields) if (f !== "gates") this.locked.set(f, policy);
  }
}

/** Every field an enforced policy sets, directly or through its conditions and schedule. */
function fieldsTouched(policy: Policy): Set<FlowFieldName> {
  const touched = new Set<FlowFieldName>();
  const add = (fields: FlowFields) => {
    for (const f of FLOW_FIELD_NAMES) if (fields[f] !== undefined) touched.add(f);
  };
  add(policy.flowControl);
  for (const c of policy.flowControl.conditions ?? []) add(c.then);
  for (const s of policy.flowControl.schedule ?? []) add(s.policy);
  return touched;
}

function describeWindow(entry: { days?: string; hours?: string; timezone?: string }): string {
  const parts = [entry.days, entry.hours, entry.timezone ?? "UTC"].filter(
    (p): p is string => p !== undefined,
  );
  return parts.join(" ");
}

function applySchedule(state: FieldState, policy: Policy, byEnforced: boolean, now: Date): void {
  const schedule = policy.flowControl.schedule;
  if (!schedule || schedule.length === 0) return;
  const match = firstMatchingEntry(schedule, now);
  if (!match) return;
  const detail = `schedule entry ${match.index + 1} (${describeWindow(match.entry)})`;
  state.apply(match.entry.policy, policyProvenance(policy, "schedule", detail), byEnforced);
}

function applyConditions(
  state: FieldState,
  policy: Policy,
  byEnforced: boolean,
  ctx: ResolveContext,
  errors: string[],
): void {
  const conditions = policy.flowControl.conditions ?? [];
  conditions.forEach((condition, i) => {
    const outcome = evaluateCondition(condition.if, ctx.vars ?? {});
    const where = `${policy.name} (${policy.origin.file}) condition ${i + 1}`;
    if (outcome.kind === "error") {
      errors.push(`${where}: ${outcome.message}`);
      return;
    }
    if (!outcome.holds) return;
    const untrusted = ctx.trusted === false && outcome.readsPlan;
    const provenance = policyProvenance(policy, "condition", `condition ${i + 1}: ${condition.if}`);
    state.apply(condition.then, provenance, byEnforced, untrusted ? tightens : undefined);
  });
}

/** The policy whose schedule (or conditions) applies: the most specific one that sets the list. */
function lastWith(sorted: readonly IndexedPolicy[], has: (p: Policy) => boolean): IndexedPolicy | undefined {
  for (let i = sorted.length - 1; i >= 0; i--) {
    const p = sorted[i]!;
    if (!p.enforced && has(p.policy)) return p;
  }
  return undefined;
}

function pickApprovalRule(
  rules: ApprovalRule[],
  provenance: Provenance,
  vars: ExprVars,
  errors: string[],
  trusted: boolean,
  notes: string[],
): Resolution["approvalRule"] {
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    if (rule.if === undefined) return { rule, index: i, provenance, reason: `rule ${i + 1} (no condition)` };
    const outcome = evaluateCondition(rule.if, vars);
    if (outcome.kind === "error") {
      errors.push(`approval rule ${i + 1} (${describeProvenance(provenance)}): ${outcome.message}`);
      return { rule: null, index: i, provenance, reason: `rule ${i + 1} could not be evaluated` };
    }
    // SPEC §5.1: a plan from a fork or an author without write permission never picks the rule.
    if (outcome.holds && outcome.readsPlan && !trusted) {
      notes.push(
        `approval rule ${i + 1} reads the plan, which a fork or an author without write permission controls: skipped`,
      );
      continue;
    }
    if (outcome.holds) return { rule, index: i, provenance, reason: `rule ${i + 1}: ${rule.if}` };
  }
  return {
    rule: null,
    index: -1,
    provenance,
    reason:
      rules.length === 0
        ? "approvalRules is empty"
        : "no approval rule matches this change (a rule reading the plan matches nothing until the plan ran)",
  };
}

function decideAutoMerge(
  autoMerge: AutoMerge,
  ctx: ResolveContext,
  errors: string[],
): Resolution["autoMerge"] {
  if (!autoMerge.enabled) return { allowed: false, reason: "autoMerge is not enabled" };
  if (ctx.trusted === false)
    return { allowed: false, reason: "never for a fork or an author without write permission" };
  if (autoMerge.when === undefined) return { allowed: true, reason: "autoMerge.enabled" };
  const outcome = evaluateCondition(autoMerge.when, ctx.vars ?? {});
  if (outcome.kind === "error") {
    errors.push(`autoMerge.when: ${outcome.message}`);
    return { allowed: false, reason: `autoMerge.when failed: ${outcome.message}` };
  }
  return outcome.holds
    ? { allowed: true, reason: `autoMerge.when holds: ${autoMerge.when}` }
    : { allowed: false, reason: `autoMerge.when does not hold: ${autoMerge.when}` };
}

/**
 * The effective flow control of one stack at one moment (SPEC §2.2): field by field from least to
 * most specific policy, enforced organization fields locked, then the schedule entry in force and the
 * conditions in order; every field carries its provenance.
 */
export function resolveStack(index: PolicyIndex, stack: Stack, ctx: ResolveContext): Resolution {
  const sorted = matchingPolicies(index, stack, ctx.org);
  const errors: string[] = [];
  for (const [a, b] of tiesAmong(sorted)) {
    errors.push(
      `policies ${a.policy.name} (${a.policy.origin.file}) and ${b.policy.name} (${b.policy.origin.file}) tie for stack ${stack.name}: same selector kind, source and specificity`,
    );
  }
  const state = new FieldState();
  const stackProvenance: Provenance = {
    policy: `stack ${stack.name}`,
    file: stack.origin.file,
    line: stack.origin.pos(["spec", "gates"]).line,
    via: "stack",
  };
  for (const gate of stack.gates) state.gateSources.push({ gate, provenance: stackProvenance });

  for (const entry of sorted) {
    state.apply(entry.policy.flowControl, policyProvenance(entry.policy), entry.enforced);
    if (entry.enforced) state.lock(fieldsTouched(entry.policy), entry.policy);
  }

  const enforced = sorted.filter((p) => p.enforced);
  const scheduleOwner = lastWith(sorted, (p) => (p.flowControl.schedule?.length ?? 0) > 0);
  const conditionsOwner = lastWith(sorted, (p) => (p.flowControl.conditions?.length ?? 0) > 0);
  if (!ctx.ignoreSchedules) {
    if (scheduleOwner) applySchedule(state, scheduleOwner.policy, false, ctx.now);
    for (const p of enforced) applySchedule(state, p.policy, true, ctx.now);
  }
  if (conditionsOwner) applyConditions(state, conditionsOwner.policy, false, ctx, errors);
  for (const p of enforced) applyConditions(state, p.policy, true, ctx, errors);

  const notes = [...state.notes];
  for (const e of index.expired) {
    if (selects(e.indexed, stack, ctx.org)) {
      const p = e.indexed.policy;
      notes.push(
        `policy ${p.name} (${p.origin.file}) expired on ${e.expiredAt.toISOString()} and is ignored`,
      );
    }
  }

  const provenance = {} as Record<FlowFieldName, Provenance>;
  const values = {} as Values;
  for (const field of FLOW_FIELD_NAMES) {
    const set = state.values[field];
    (values as Record<string, unknown>)[field] = set !== undefined ? set : BUILT_IN_DEFAULTS[field];
    provenance[field] = state.provenance[field] ?? builtInProvenance;
  }
  const gates = [...new Set(state.gateSources.map((g) => g.gate))];
  const lastGate = state.gateSources.at(-1);
  provenance.gates = lastGate?.provenance ?? builtInProvenance;

  const flow: EffectiveFlow = {
    isManual: values.isManual!,
    disableOnLifecycleEvents: values.disableOnLifecycleEvents!,
    skipRefresh: values.skipRefresh!,
    previewBeforeUpdateOrDestroy: values.previewBeforeUpdateOrDestroy!,
    pauseBetweenPreviewAndUpdateOrDestroy: values.pauseBetweenPreviewAndUpdateOrDestroy!,
    gates,
    approvalRules: values.approvalRules!,
    autoMerge: values.autoMerge!,
    breakGlass: values.breakGlass,
    timeouts: { ...BUILT_IN_DEFAULTS.timeouts, ...values.timeouts } as Required<Timeouts>,
    planMaxAge: values.planMaxAge!,
    verify: values.verify!,
    onFailure: values.onFailure!,
    progression: values.progression!,
    rollout: values.rollout!,
  };

  const vars = ctx.vars ?? {};
  const approvalRule = pickApprovalRule(
    flow.approvalRules,
    provenance.approvalRules,
    vars,
    errors,
    ctx.trusted !== false,
    notes,
  );
  const autoMerge = decideAutoMerge(flow.autoMerge, ctx, errors);

  const boundaries: Date[] = sorted.flatMap((p) => (p.expiresAt ? [p.expiresAt] : []));
  for (const owner of [scheduleOwner, ...enforced]) {
    const schedule = owner?.policy.flowControl.schedule;
    if (schedule && schedule.length > 0) {
      const next = nextScheduleChange(schedule, ctx.now);
      if (next) boundaries.push(next);
    }
  }
  const nextChangeAt = boundaries.length
    ? new Date(Math.min(...boundaries.map((d) => d.getTime())))
    : undefined;

  const deciding = sorted.at(-1);
  return {
    stack,
    flow,
    provenance,
    gateSources: state.gateSources,
    policy: deciding ? policyProvenance(deciding.policy) : builtInProvenance,
    applied: sorted.map((p) => ({
      policy: p.policy.name,
      file: p.policy.origin.file,
      selector: selectorText(p.policy),
      enforced: p.enforced,
    })),
    notes,
    errors,
    approvalRule,
    autoMerge,
    ...(nextChangeAt ? { nextChangeAt } : {}),
  };
}
