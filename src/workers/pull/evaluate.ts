import type { RepoConfig } from "../../app/config-service.js";
import type { Runtime } from "../../app/runtime.js";
import type { Gate, Stack } from "../../config/types.js";
import { StackMatcher } from "../../engine/affected.js";
import {
  type ApprovalEvent,
  configurationApproval,
  countApprovals,
  DEFAULT_CONFIGURATION_APPROVAL,
  type StackApproval,
} from "../../engine/approvals.js";
import { permissionAtLeast } from "../../engine/authority.js";
import { type ExprVars, riskOf } from "../../engine/expressions.js";
import { evaluateGate, type GateDecision, gateBlocks } from "../../engine/gates.js";
import { decidePull, type PullView, type StackView } from "../../engine/pull-decision.js";
import { describeProvenance } from "../../engine/resolve/provenance.js";
import { buildPolicyIndex, resolveConfigurationApproval, resolveStack } from "../../engine/resolve.js";
import { code } from "../../render/markdown.js";
import { aggregateCheck, planCheck, unownedFilesSection, unownedState } from "../../render/pull-checks.js";
import { renderSticky } from "../../render/sticky.js";
import { keys } from "../../state/keys.js";
import type { PullRecord } from "../../state/pulls.js";
import { syncAutoMerge } from "./automerge.js";
import { isConfigurationChange } from "./config-change.js";
import { type ChangedFiles, changedFiles } from "./files.js";
import { explainConfigurationChange } from "./head-explain.js";
import { lostGateStateSince } from "./lost-state.js";
import { authorsOfHead, gatherPeople, permissionOf, teamsOf } from "./people.js";
import { planViewOf, startPlanJob, waitsForCommand } from "./plans.js";
import { answerApprovals, carryOutRequests } from "./requests.js";
import { reviewEvents } from "./reviews.js";
import { withSharedHead } from "./shared-head.js";
import { writeCheck, writeSticky } from "./write.js";

const matchers = new WeakMap<readonly Stack[], StackMatcher>();
function matcherFor(stacks: readonly Stack[]): StackMatcher {
  let m = matchers.get(stacks);
  if (!m) {
    m = new StackMatcher(stacks);
    matchers.set(stacks, m);
  }
  return m;
}

function formatConfigErrors(config: RepoConfig): string[] {
  return [...config.sourceErrors, ...config.errors.map((d) => `${d.file}:${d.line}:${d.col} ${d.message}`)];
}

function planVars(
  job:
    | {
        plan?: {
          summary: { add: number; change: number; destroy: number; replace: number };
          resources: { address: string; type: string; action: string; changedAttributes: string[] }[];
          estimatedCost?: number;
        };
      }
    | undefined,
): Partial<ExprVars> {
  if (!job?.plan) return {};
  const { summary, resources, estimatedCost } = job.plan;
  return {
    plan: {
      ...summary,
      resources: resources.map((r) => ({
        address: r.address,
        type: r.type,
        action: r.action,
        changedAttributes: r.changedAttributes,
      })),
    },
    // SPEC §2.2: `risk` comes from the plan's counts (rules such as `risk == 'high'` read it).
    risk: riskOf(summary),
    ...(estimatedCost !== undefined ? { estimatedCost } : {}),
  };
}

/** SPEC §2.3: why a fixing PR is judged by its own head, and what that found. */
function validatedAtHeadSection(
  defaultBranchErrors: readonly string[],
  headErrors: readonly string[],
): string {
  const first = defaultBranchErrors[0] ?? "";
  const more = defaultBranchErrors.length > 1 ? ` (and ${defaultBranchErrors.length - 1} more)` : "";
  const verdict =
    headErrors.length === 0 ? "it is valid there" : `${headErrors.length} error(s) remain there`;
  return `**The default branch's configuration is invalid** (${code(first, 300)}${more}). This PR touches only \`.github/flowgate/\`, so it is validated at its head: ${verdict}.`;
}

export interface EvaluationOutcome {
  conclusion: "success" | "failure" | "pending" | "skipped";
  stacks: string[];
}

/**
 * Everything flowgate shows on an open PR, recomputed from facts (SPEC §3): configuration from the
 * default branch, changed files, affected stacks, effective policies, plans, approvals, gates; then
 * the `flowgate` check, one plan check per stack, the sticky comment and auto-merge.
 */
export async function evaluatePull(rt: Runtime, record: PullRecord): Promise<EvaluationOutcome> {
  const { repo, facts } = record;
  const now = rt.clock.now();
  const port = rt.github(repo);
  const log = rt.log.child({ repo: `${repo.owner}/${repo.repo}`, pr: facts.number });

  const files = await changedFiles(rt, port, record);
  let config = await rt.config.read((ref) => rt.github(ref), repo, {
    ref: repo.defaultBranch,
    extraPaths: files.added,
    now,
  });
  const configChange = isConfigurationChange(files.paths, config.stacks);
  let configErrors = formatConfigErrors(config);

  // SPEC §2.3: while the default branch's configuration is invalid, a PR touching only
  // .github/flowgate/ is validated at its head, so the fixing PR can pass.
  let validatedAtHead = false;
  const defaultBranchErrors = configErrors;
  if (config.errors.length > 0 && config.sourceErrors.length === 0 && configChange.onlyFlowgateFiles) {
    const atHead = await rt.config.read((ref) => rt.github(ref), repo, { ref: facts.headSha, now });
    configErrors = formatConfigErrors(atHead).map((e) => `at the PR head: ${e}`);
    validatedAtHead = true;
    config = {
      ...atHead,
      stacks: [],
      policies: config.platform.policies.concat(config.organization?.policies ?? []),
    };
  }

  const affected =
    configErrors.length > 0 && !validatedAtHead
      ? { stacks: new Map<string, string[]>(), unownedInfra: [] as string[] }
      : matcherFor(config.stacks).affected(files.paths, config.unownedInfraFiles);
  const stacksByName = new Map(config.stacks.map((s) => [s.name, s]));

  // A bot is trusted like anyone else: by its permission on the repository, never by being a bot.
  const authorPermission = await permissionOf(rt, port, repo.repoId, facts.author);
  const trusted = !facts.fork && permissionAtLeast(authorPermission, "write");
  const index = buildPolicyIndex(config.policies, now);
  let override = (await rt.pulls.overrides(repo.repoId, facts.number))
    .filter((o) => o.headSha === facts.headSha)
    .at(-1);
  const baseVars: ExprVars = {
    files: files.paths,
    triggeredBy: { login: facts.author, type: facts.authorIsBot ? "bot" : "user" },
    pr: { author: facts.author, labels: facts.labels, baseRef: facts.baseRef },
  };

  const lostSince = await lostGateStateSince(rt, repo.installationId);
  const resolveAll = async (overridden: boolean) => {
    const out: { stack: Stack; files: string[]; resolution: ReturnType<typeof resolveStack> }[] = [];
    for (const [name, stackFiles] of affected.stacks) {
      const stack = stacksByName.get(name)!;
      const jobId = await rt.pulls.planJobId(repo.repoId, facts.number, facts.headSha, name);
      const job = jobId ? await rt.jobs.get(jobId) : undefined;
      const vars: ExprVars = {
        ...baseVars,
        ...planVars(job),
        stack: { name, kind: stack.kind },
        environment: stack.environment,
      };
      const resolution = resolveStack(index, stack, {
        org: repo.owner,
        now,
        vars,
        trusted,
        ignoreSchedules: overridden,
      });
      out.push({ stack, files: stackFiles, resolution });
    }
    return out;
  };
  let resolved = await resolveAll(override !== undefined);

  // Commands that need the resolved policies: /plan, /retry, /cancel, /override, /approve, /reject.
  const requests = await carryOutRequests(rt, port, record, resolved);
  if (requests.overridden && !override) {
    override = (await rt.pulls.overrides(repo.repoId, facts.number))
      .filter((o) => o.headSha === facts.headSha)
      .at(-1);
    resolved = await resolveAll(true);
  }

  // Each stack's plan for the current head (started here where the policy says) and its gates.
  const views: Omit<StackView, "approval">[] = [];
  for (const { stack, files: stackFiles, resolution } of resolved) {
    const name = stack.name;
    const existingId = await rt.pulls.planJobId(repo.repoId, facts.number, facts.headSha, name);
    let job = existingId ? await rt.jobs.get(existingId) : undefined;
    let plan: StackView["plan"];
    if (!resolution.flow.previewBeforeUpdateOrDestroy) plan = { state: "not-required" };
    else if (job) plan = planViewOf(job);
    else {
      const why = waitsForCommand(record, resolution);
      if (why) plan = { state: "waiting-command", why };
      else {
        job = await startPlanJob(rt, record, stack, resolution, {
          login: facts.author,
          type: facts.authorIsBot ? "bot" : "user",
        });
        plan = job ? planViewOf(job) : { state: "queued", jobId: "" };
      }
    }
    const gates: GateDecision[] = [];
    for (const gateName of resolution.flow.gates) {
      const gate: Gate | undefined = config.gates.get(gateName);
      if (!gate) {
        gates.push({
          name: gateName,
          open: false,
          state: "closed",
          source: "default",
          reason: `gate ${gateName} is not defined: it counts as closed`,
        });
        continue;
      }
      if (!gateBlocks(gate, "merge")) continue;
      const toggle = await rt.gates.toggle(gateName, repo.owner, repo.repoId);
      const decision = evaluateGate(gate, toggle, now, lostSince ? { stateLostSince: lostSince } : undefined);
      gates.push(decision);
      const holder = { kind: "pull" as const, repoId: repo.repoId, number: facts.number };
      // Open or closed, the PR watches the gate: closing it must hold the PR again at once.
      await rt.gates.hold(gateName, repo.owner, repo.repoId, holder);
    }
    views.push({ stack, resolution, files: stackFiles, plan, gates });
  }

  // Approvals: reviews, /approve and /reject comments, Approve buttons (SPEC §3.1).
  const events: ApprovalEvent[] = [
    ...(await rt.pulls.events(repo.repoId, facts.number)),
    ...(await reviewEvents(rt, port, record)),
  ];
  const configRule = configChange.isChange ? resolveConfigurationApproval(index, baseVars) : undefined;
  const rules = [
    ...views.map((v) => v.resolution.approvalRule.rule),
    configRule?.rule ?? null,
    DEFAULT_CONFIGURATION_APPROVAL,
  ];
  const people = await gatherPeople(
    rt,
    port,
    repo.repoId,
    repo.owner,
    events.map((e) => e.login),
    teamsOf(rules),
  );
  const approvalBase = {
    headSha: facts.headSha,
    ...(record.headPushedAt ? { headPushedAt: new Date(record.headPushedAt) } : {}),
    ...(record.baseChangedAt ? { baseChangedAt: new Date(record.baseChangedAt) } : {}),
    author: facts.author,
    pushers: await authorsOfHead(
      rt,
      port,
      record,
      events.filter((e) => e.kind === "approve").map((e) => e.login),
    ),
    events,
    permissions: people.permissions,
    teamMembers: people.teamMembers,
  };
  const approvals = countApprovals({
    ...approvalBase,
    stacks: views.map((v) => {
      const finished = v.plan.state === "succeeded" ? new Date(v.plan.finishedAt) : undefined;
      return {
        stack: v.stack.name,
        approvalRequired: v.resolution.flow.pauseBetweenPreviewAndUpdateOrDestroy,
        rule: v.resolution.approvalRule.rule,
        ruleSource: describeProvenance(v.resolution.approvalRule.provenance),
        planRequired: v.resolution.flow.previewBeforeUpdateOrDestroy,
        ...(finished ? { planFinishedAt: finished } : {}),
      };
    }),
  });
  const stackViews: StackView[] = views.map((v, i) => ({ ...v, approval: approvals[i]! }));
  // Remember what was approved on which plan: after the merge it carries over when the plan is unchanged.
  for (const v of stackViews) {
    const jobId = "jobId" in v.plan ? v.plan.jobId : undefined;
    const job = jobId && v.plan.state === "succeeded" ? await rt.jobs.get(jobId) : undefined;
    const approved =
      job?.plan && v.approval.satisfied && v.approval.required > 0
        ? {
            headSha: facts.headSha,
            fingerprint: job.plan.fingerprint,
            approvers: v.approval.counted.map((c) => c.login),
          }
        : undefined;
    const previously = await rt.pulls.approved(repo.repoId, facts.number, v.stack.name);
    if (approved && job?.plan && previously?.headSha !== facts.headSha) {
      // Approval wait: from the plan being ready to the last approval that met the rule.
      const lastApproval = Math.max(...v.approval.counted.map((c) => c.at.getTime()));
      const waited = (lastApproval - Date.parse(job.plan.finishedAt)) / 1000;
      rt.metrics.approvalWait.observe({ policy: v.resolution.policy.policy }, Math.max(0, waited));
    }
    for (const b of v.approval.blockedBy) {
      // Each standing rejection is counted once, under the policy of the stack it blocks.
      if (
        await rt.redis.sadd(
          keys.pullRejectionsCounted(repo.repoId, facts.number),
          `${b.eventId}|${v.stack.name}`,
        )
      ) {
        rt.metrics.rejections.inc({ policy: v.resolution.policy.policy });
      }
    }
    await rt.pulls.setApproved(repo.repoId, facts.number, v.stack.name, approved);
  }
  const unownedApproval: StackApproval | undefined = affected.unownedInfra.length
    ? configurationApproval({
        ...approvalBase,
        rule: DEFAULT_CONFIGURATION_APPROVAL,
        ruleSource: "unowned infrastructure files",
      })
    : undefined;
  const configApproval =
    configChange.isChange && configRule
      ? configurationApproval({
          ...approvalBase,
          rule: configRule.rule,
          ruleSource: describeProvenance(configRule.provenance),
        })
      : undefined;
  await answerApprovals(rt, port, record, requests.approvalReplies, approvals, [
    ...(unownedApproval ? [{ label: "infrastructure files no stack owns", approval: unownedApproval }] : []),
    ...(configApproval ? [{ label: "configuration change", approval: configApproval }] : []),
  ]);

  const pullView: PullView = {
    number: facts.number,
    headSha: facts.headSha,
    draft: facts.draft,
    fork: facts.fork,
    trusted,
    labels: facts.labels,
    configErrors,
    ...(files.complete ? {} : { filesIncomplete: { listed: files.listed, changed: files.changed } }),
    unowned: { files: affected.unownedInfra, ...(unownedApproval ? { approval: unownedApproval } : {}) },
    ...(configApproval ? { configChange: { approval: configApproval } } : {}),
    ...(override ? { override: { login: override.login, at: override.at, reason: override.reason } } : {}),
  };
  const decision = decidePull(pullView, stackViews);
  // Stored before the checks are written: whoever sees the check (a merge queue) finds this verdict.
  await rt.pulls.records.update(`${repo.repoId}:${facts.number}`, (doc) =>
    doc.facts.headSha === facts.headSha
      ? {
          ...doc,
          lastDecision: { headSha: facts.headSha, conclusion: decision.conclusion, title: decision.title },
        }
      : undefined,
  );

  // Writes: one per check whose content changed, one comment edit.
  for (const view of stackViews) {
    const jobId = "jobId" in view.plan ? view.plan.jobId : undefined;
    const text = jobId && view.plan.state === "succeeded" ? await rt.jobs.text(jobId) : undefined;
    const runUrl = "runUrl" in view.plan ? view.plan.runUrl : undefined;
    await writeCheck(
      rt,
      port,
      record,
      planCheck(facts.headSha, view, { ...(text ? { text } : {}), ...(runUrl ? { runUrl } : {}) }),
    );
  }
  const sections = configChange.isChange
    ? [
        `**Configuration change** (${configChange.files.length} file(s)): judged by the default branch's configuration; ${configApproval?.summary ?? ""}`,
      ]
    : [];
  if (validatedAtHead) sections.push(validatedAtHeadSection(defaultBranchErrors, configErrors));
  // SPEC §2.3: the sticky comment also shows what the change would do once merged.
  const explained =
    configChange.isChange && !validatedAtHead && configErrors.length === 0
      ? [await explainConfigurationChange(rt, repo, facts.headSha, config, now, baseVars)]
      : [];
  await withSharedHead(rt, record, decision, (shown, note) =>
    writeCheck(
      rt,
      port,
      record,
      aggregateCheck(facts.headSha, shown, stackViews, [
        ...(note ? [note] : []),
        ...(affected.unownedInfra.length
          ? [unownedFilesSection(affected.unownedInfra, unownedState(pullView))]
          : []),
        ...sections,
      ]),
    ).then(() => undefined),
  );
  await writeSticky(
    rt,
    port,
    record,
    renderSticky(pullView, decision, stackViews, { sections: [...sections, ...explained] }),
  );
  await syncAutoMerge(rt, port, record, decision);

  // Re-evaluate at the next moment the answer can change, with no webhook needed (SPEC §2.2).
  const moments = [
    ...stackViews.flatMap((v) => (v.resolution.nextChangeAt ? [v.resolution.nextChangeAt] : [])),
    ...stackViews.flatMap((v) => v.gates.flatMap((g) => (g.nextChangeAt ? [g.nextChangeAt] : []))),
  ].filter((d) => d.getTime() > now.getTime());
  if (moments.length) {
    const next = new Date(Math.min(...moments.map((d) => d.getTime())));
    await rt.queues.addPullTimer(
      { repo, number: facts.number, reason: "schedule or gate boundary" },
      next,
      now,
    );
  }
  if (configErrors.length) {
    await rt.audit.record({
      type: "config-invalid",
      repo: `${repo.owner}/${repo.repo}`,
      pr: facts.number,
      reason: configErrors[0]!,
    });
  }
  rt.metrics.evaluations.inc({ conclusion: decision.conclusion });
  log.debug({ conclusion: decision.conclusion, stacks: stackViews.length }, "evaluated");
  return { conclusion: decision.conclusion, stacks: stackViews.map((v) => v.stack.name) };
}

export type { ChangedFiles };
