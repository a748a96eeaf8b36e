import type { ApprovalRule, Gate, Policy, Stack } from "../../config/types.js";
import type { ExprVars } from "../../lang/expressions.js";
import { policyFingerprint } from "../policy-fingerprint.js";
import { buildPolicyIndex, resolveStack } from "../resolve.js";
import { newJob } from "../stack-job/index.js";
import { jobTimeouts } from "../stack-job/timeouts.js";
import type { Actor, StackJob } from "../stack-job/types.js";

/** The merged PR a commit came from, if any. */
export interface MergedPull {
  number: number;
  headSha: string;
  author: string;
  authorIsBot: boolean;
  labels: string[];
  baseRef: string;
}

/** One stack the commit touches, with everything read about it. */
export interface CommitStack {
  stack: Stack;
  files: string[];
  /** the job id of this stack at this commit (from the stack and the commit) */
  jobId: string;
  /** per dependency outside this commit: its unfinished apply job, if any */
  earlierJobs: Record<string, string | undefined>;
  /** what the PR approved for this stack, if it did */
  approved?: { headSha: string; fingerprint: string; approvers: string[] };
  /** the policy fingerprint of its last apply, or of the configuration before this commit */
  previousFingerprint?: string;
}

/** Everything the apply side reads about a new commit on the default branch (SPEC §4). */
export interface CommitSnapshot {
  now: Date;
  repo: { installationId: number; owner: string; repo: string; repoId: number; defaultBranch: string };
  sha: string;
  merged?: MergedPull;
  pusher: string;
  /** false when the merged PR came from a fork or an author without write permission (SPEC §5.1) */
  trusted: boolean;
  /** the installation lost its state: new jobs look for a run before dispatching */
  recovering: boolean;
  policies: readonly Policy[];
  gates: ReadonlyMap<string, Gate>;
  stacks: CommitStack[];
}

/** What the merge decided for a job, kept next to it for later decisions (plan-decisions.ts). */
export interface JobRule {
  rule: ApprovalRule | null;
  policyFingerprint: string;
  vars: ExprVars;
  trusted: boolean;
}

export interface PlannedApply {
  job: StackJob;
  rule: JobRule;
  /** what the audit log records about the decision */
  reason: string;
}

export interface CommitDecision {
  /** stacks that get no job, and why: shown on the commit */
  problems: { stack: string; message: string }[];
  jobs: PlannedApply[];
}

export function triggeredByOf(merged: MergedPull | undefined, pusher: string): Actor {
  return merged
    ? { login: merged.author, type: merged.authorIsBot ? "bot" : "user" }
    : { login: pusher, type: "user" };
}

/** The variables a stack's expressions see at the merge (SPEC §2.2), before any plan. */
export function commitVars(
  stack: Stack,
  files: string[],
  merged: MergedPull | undefined,
  pusher: string,
): ExprVars {
  return {
    files,
    stack: { name: stack.name, kind: stack.kind },
    environment: stack.environment,
    triggeredBy: triggeredByOf(merged, pusher),
    ...(merged ? { pr: { author: merged.author, labels: merged.labels, baseRef: merged.baseRef } } : {}),
  };
}

/**
 * One apply job per stack the commit touches (SPEC §4): its policy resolved at the commit, its
 * dependencies (this commit's jobs, or the unfinished ones of earlier commits), the gates that block
 * applies, the PR's approval offered for carry-over, and a forced pause when the policy changed.
 */
export function decideCommit(snapshot: CommitSnapshot): CommitDecision {
  const { now, repo, merged } = snapshot;
  const index = buildPolicyIndex(snapshot.policies, now);
  const jobIdOf = new Map(snapshot.stacks.map((s) => [s.stack.name, s.jobId]));
  const decision: CommitDecision = { problems: [], jobs: [] };
  for (const s of snapshot.stacks) {
    const { stack } = s;
    const vars = commitVars(stack, s.files, merged, snapshot.pusher);
    const resolution = resolveStack(index, stack, { org: repo.owner, now, vars });
    if (resolution.errors.length) {
      decision.problems.push({
        stack: stack.name,
        message: `No apply job for ${stack.name}: ${resolution.errors.join("; ")}`,
      });
      continue;
    }
    const dependsOn = stack.dependsOn.flatMap((dep) => {
      const id = jobIdOf.get(dep) ?? s.earlierJobs[dep];
      return id ? [id] : [];
    });
    const carryOver =
      s.approved && merged && s.approved.headSha === merged.headSha
        ? { fingerprint: s.approved.fingerprint, approvers: s.approved.approvers }
        : undefined;
    const fingerprint = policyFingerprint(resolution);
    const forcePause =
      s.previousFingerprint && s.previousFingerprint !== fingerprint
        ? `the policy this stack resolves to changed (now ${resolution.policy.policy}): the first apply after a policy change waits for approval`
        : undefined;
    const gates = resolution.flow.gates.filter((g) => {
      const gate = snapshot.gates.get(g);
      return !gate || gate.blocks.length === 0 || gate.blocks.includes("apply");
    });
    const flow = resolution.flow;
    const job = newJob(
      {
        id: s.jobId,
        kind: "apply",
        installationId: repo.installationId,
        owner: repo.owner,
        repo: repo.repo,
        stack: stack.name,
        environment: stack.environment,
        workflow: stack.workflow,
        path: stack.dir,
        sha: snapshot.sha,
        ...(merged ? { prNumber: merged.number } : {}),
        controls: {
          isManual: flow.isManual,
          disableOnLifecycleEvents: flow.disableOnLifecycleEvents,
          skipRefresh: flow.skipRefresh,
          previewBeforeUpdateOrDestroy: flow.previewBeforeUpdateOrDestroy,
          pauseBetweenPreviewAndUpdateOrDestroy: flow.pauseBetweenPreviewAndUpdateOrDestroy,
        },
        policy: { name: resolution.policy.policy, file: resolution.policy.file },
        timeouts: jobTimeouts(resolution),
        dependsOn,
        gates,
        triggeredBy: triggeredByOf(merged, snapshot.pusher),
        ...(carryOver ? { carryOver } : {}),
        ...(forcePause ? { forcePause } : {}),
      },
      now,
    );
    job.dispatchRef = repo.defaultBranch;
    if (snapshot.recovering) job.recovered = true;
    decision.jobs.push({
      job,
      rule: {
        rule: resolution.approvalRule.rule,
        policyFingerprint: fingerprint,
        vars,
        trusted: snapshot.trusted,
      },
      reason: `${job.reason}${carryOver ? "; PR approval offered for carry-over" : ""}${forcePause ? `; ${forcePause}` : ""}`,
    });
  }
  return decision;
}
