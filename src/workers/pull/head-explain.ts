import { formatProblem } from "../../config/diagnostics.js";
import type { Stack } from "../../config/types.js";
import {
  buildPolicyIndex,
  describeProvenance,
  type PolicyIndex,
  resolveStack,
} from "../../engine/resolve.js";
import { stepsLine } from "../../engine/steps.js";
import type { ExprVars } from "../../lang/expressions.js";
import {
  configChangeExplain,
  configChangeProblems,
  type ResolvedSummary,
  type StackChange,
} from "../../render/config-change.js";
import { describeRule } from "../../render/explain.js";
import type { RepoConfig } from "../../runtime/config-service.js";
import type { Runtime } from "../../runtime/runtime.js";
import type { RepoInfo } from "../../webhooks/events.js";

/** Resolving is pure and quick, but a monorepo may hold thousands of stacks: compare at most this many. */
const MAX_COMPARED = 500;

function summarize(
  index: PolicyIndex,
  stack: Stack,
  org: string,
  now: Date,
  vars: ExprVars,
): ResolvedSummary {
  const r = resolveStack(index, stack, {
    org,
    now,
    vars: { ...vars, stack: { name: stack.name, kind: stack.kind }, environment: stack.environment },
    // Display only, never used for gating: resolve as strictly as for an untrusted change.
    trusted: false,
  });
  return {
    policy: describeProvenance(r.policy),
    steps: stepsLine(r.flow),
    approvals: r.flow.pauseBetweenPreviewAndUpdateOrDestroy ? describeRule(r.approvalRule.rule) : "none",
    gates: r.flow.gates.join(", ") || "none",
    autoMerge: r.flow.autoMerge.enabled
      ? `on${r.flow.autoMerge.when ? ` when ${r.flow.autoMerge.when}` : ""}`
      : "off",
  };
}

/** The same, without where it came from: a policy that only moved within its file changes nothing. */
const meaning = (s: ResolvedSummary | undefined) =>
  s ? JSON.stringify({ ...s, policy: s.policy.replace(/ \(.*$/, "") }) : "";

/**
 * SPEC §2.3: what a configuration change would do, for the sticky comment. The PR head's configuration
 * is read (conditional requests; unchanged files come from the cache) and every stack is resolved under
 * both; only stacks whose effective flow control differs are listed.
 */
export async function explainConfigurationChange(
  rt: Runtime,
  repo: RepoInfo,
  headSha: string,
  current: RepoConfig,
  now: Date,
  vars: ExprVars,
): Promise<string> {
  const atHead = await rt.config.read((ref) => rt.github(ref), repo, { ref: headSha, now });
  const problems = [...atHead.sourceErrors, ...atHead.errors.map(formatProblem)];
  if (problems.length > 0) return configChangeProblems(problems);
  const before = buildPolicyIndex(current.policies, now);
  const after = buildPolicyIndex(atHead.policies, now);
  const wasStacks = new Map(current.stacks.map((s) => [s.name, s]));
  const willStacks = new Map(atHead.stacks.map((s) => [s.name, s]));
  const names = [...new Set([...wasStacks.keys(), ...willStacks.keys()])].sort();
  const changes: StackChange[] = [];
  for (const name of names.slice(0, MAX_COMPARED)) {
    const wasStack = wasStacks.get(name);
    const willStack = willStacks.get(name);
    const was = wasStack ? summarize(before, wasStack, repo.owner, now, vars) : undefined;
    const will = willStack ? summarize(after, willStack, repo.owner, now, vars) : undefined;
    if (meaning(was) !== meaning(will))
      changes.push({ stack: name, ...(was ? { was } : {}), ...(will ? { will } : {}) });
  }
  return configChangeExplain(changes, Math.max(0, names.length - MAX_COMPARED));
}
