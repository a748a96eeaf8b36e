import { formatProblem } from "../../config/diagnostics.js";
import type { Stack } from "../../config/types.js";
import { StackMatcher } from "../../engine/affected.js";
import { DEFAULT_CONFIGURATION_APPROVAL } from "../../engine/approvals.js";
import { permissionAtLeast } from "../../engine/authority.js";
import type { CommandRequest } from "../../engine/commands.js";
import { type GateToggle, gateBlocks } from "../../engine/gates.js";
import { planExprVars } from "../../engine/plan-vars.js";
import type { ConfigFacts, PullSnapshot, StackFacts } from "../../engine/pull/snapshot.js";
import { buildPolicyIndex, resolveConfigurationApproval, resolveStack } from "../../engine/resolve.js";
import type { GitHubPort } from "../../github/port.js";
import type { ExprVars } from "../../lang/expressions.js";
import type { RepoConfig } from "../../runtime/config-service.js";
import type { Runtime } from "../../runtime/runtime.js";
import type { PullRecord } from "../../state/pulls.js";
import { isConfigurationChange } from "./config-change.js";
import { changedFiles } from "./files.js";
import { explainConfigurationChange } from "./head-explain.js";
import { lostGateStateSince } from "./lost-state.js";
import { authorsOfHead, gatherPeople, permissionOf, teamsOf } from "./people.js";
import { reviewEvents } from "./reviews.js";

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
  return [...config.sourceErrors, ...config.errors.map(formatProblem)];
}

/** What was read besides the snapshot: the commands still to carry out. */
export interface GatheredPull {
  snapshot: PullSnapshot;
  /** every command queued for the PR and not carried out yet */
  requests: CommandRequest[];
}

/**
 * All the reading one evaluation does (SPEC §3): configuration from the default branch (or the PR's
 * head, §2.3), changed files, affected stacks and their policies, plans, gates, approvals and the
 * people behind them. Nothing is written here except what caches reads.
 */
export async function gatherPull(rt: Runtime, port: GitHubPort, record: PullRecord): Promise<GatheredPull> {
  const { repo, facts } = record;
  const now = rt.clock.now();
  // Everything that does not depend on the configuration or the files goes out at once: Redis reads
  // share a round trip (auto-pipelining) and GitHub's answers are awaited together (issue 11).
  const filesRead = changedFiles(rt, port, record);
  const [files, firstConfig, [authorPermission, overrides, storedEvents, requests, lostSince, reviewed]] =
    await Promise.all([
      filesRead,
      rt.config.read((ref) => rt.github(ref), repo, {
        ref: repo.defaultBranch,
        extraPaths: async () => (await filesRead).added,
        now,
      }),
      Promise.all([
        // A bot is trusted like anyone else: by its permission on the repository, never by being a bot.
        permissionOf(rt, port, repo.repoId, facts.author),
        rt.pulls.overrides(repo.repoId, facts.number),
        rt.pulls.events(repo.repoId, facts.number),
        rt.pulls.pendingRequests(repo.repoId, facts.number),
        lostGateStateSince(rt, repo.installationId),
        reviewEvents(rt, port, record),
      ]),
    ]);
  let config = firstConfig;
  const configChange = isConfigurationChange(files.paths, config.stacks);
  let errors = formatConfigErrors(config);
  let validatedAtHead: ConfigFacts["validatedAtHead"];
  // SPEC §2.3: while the default branch's configuration is invalid, a PR touching only
  // .github/flowgate/ is validated at its head, so the fixing PR can pass.
  if (config.errors.length > 0 && config.sourceErrors.length === 0 && configChange.onlyFlowgateFiles) {
    const atHead = await rt.config.read((ref) => rt.github(ref), repo, { ref: facts.headSha, now });
    validatedAtHead = { defaultBranchErrors: errors };
    errors = formatConfigErrors(atHead).map((e) => `at the PR head: ${e}`);
    config = {
      ...atHead,
      stacks: [],
      policies: config.platform.policies.concat(config.organization?.policies ?? []),
    };
  }
  const affected =
    errors.length > 0 && !validatedAtHead
      ? { stacks: new Map<string, string[]>(), unownedInfra: [] as string[] }
      : matcherFor(config.stacks).affected(files.paths, config.unownedInfraFiles);
  const stacksByName = new Map(config.stacks.map((s) => [s.name, s]));

  const trusted = !facts.fork && permissionAtLeast(authorPermission, "write");
  const index = buildPolicyIndex(config.policies, now);
  const override = overrides.filter((o) => o.headSha === facts.headSha).at(-1);
  const baseVars: ExprVars = {
    files: files.paths,
    triggeredBy: { login: facts.author, type: facts.authorIsBot ? "bot" : "user" },
    pr: { author: facts.author, labels: facts.labels, baseRef: facts.baseRef },
  };

  const stacks: StackFacts[] = await Promise.all(
    [...affected.stacks].map(async ([name, stackFiles]): Promise<StackFacts> => {
      const stack = stacksByName.get(name)!;
      const [jobId, approved] = await Promise.all([
        rt.pulls.planJobId(repo.repoId, facts.number, facts.headSha, name),
        rt.pulls.approved(repo.repoId, facts.number, name),
      ]);
      const planJob = jobId ? await rt.jobs.get(jobId) : undefined;
      const vars: ExprVars = {
        ...baseVars,
        ...planExprVars(planJob?.plan),
        stack: { name, kind: stack.kind },
        environment: stack.environment,
      };
      const resolution = resolveStack(index, stack, {
        org: repo.owner,
        now,
        vars,
        trusted,
        ignoreSchedules: override !== undefined,
      });
      const gateNames = resolution.flow.gates.filter((g) => {
        const gate = config.gates.get(g);
        return gate !== undefined && gateBlocks(gate, "merge");
      });
      const succeeded = planJob?.status === "succeeded" && planJob.plan !== undefined;
      const [toggles, planText] = await Promise.all([
        Promise.all(gateNames.map((g) => rt.gates.toggle(g, repo.owner, repo.repoId))),
        succeeded ? rt.jobs.text(planJob.id) : undefined,
      ]);
      const gateToggles: Record<string, GateToggle | undefined> = {};
      for (const [i, g] of gateNames.entries()) gateToggles[g] = toggles[i];
      return {
        stack,
        files: stackFiles,
        resolution,
        ...(planJob ? { planJob } : {}),
        ...(planText ? { planText } : {}),
        ...(approved?.headSha ? { approvedHead: approved.headSha } : {}),
        gateToggles,
      };
    }),
  );

  const events = [...storedEvents, ...reviewed];
  const configRule = configChange.isChange ? resolveConfigurationApproval(index, baseVars) : undefined;
  const rules = [
    ...stacks.map((s) => s.resolution.approvalRule.rule),
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
  const approvers = events.filter((e) => e.kind === "approve").map((e) => e.login);
  const pushers = await authorsOfHead(rt, port, record, approvers);
  // SPEC §2.3: the sticky comment also shows what the change would do once merged.
  const explanation =
    configChange.isChange && !validatedAtHead && errors.length === 0
      ? await explainConfigurationChange(rt, repo, facts.headSha, config, now, baseVars)
      : undefined;

  const snapshot: PullSnapshot = {
    now,
    pull: record,
    trusted,
    config: {
      errors,
      ...(validatedAtHead ? { validatedAtHead } : {}),
      gates: config.gates,
      ...(configChange.isChange && configRule
        ? { change: { files: configChange.files.length, rule: configRule } }
        : {}),
      ...(explanation ? { explanation } : {}),
    },
    files: { complete: files.complete, listed: files.listed, changed: files.changed },
    unownedInfra: affected.unownedInfra,
    stacks,
    ...(override ? { override: { login: override.login, at: override.at, reason: override.reason } } : {}),
    ...(lostSince ? { lostSince } : {}),
    events,
    pushers,
    people,
    approvalRequests: requests.filter((r) => r.command.name === "approve" || r.command.name === "reject"),
  };
  return { snapshot, requests };
}
