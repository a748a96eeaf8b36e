import type { Permission } from "../../config/types.js";
import { commandLookups, decideCommands } from "../../engine/pull/commands.js";
import { decidePullEvaluation } from "../../engine/pull/evaluate.js";
import type { GitHubPort } from "../../github/port.js";
import type { Runtime } from "../../runtime/runtime.js";
import type { PullRecord } from "../../state/pulls.js";
import { carryOutEvaluation } from "./carry-out.js";
import { type GatheredPull, gatherPull } from "./gather.js";
import { isTeamMember, permissionOf } from "./people.js";
import { carryOutCommands } from "./requests.js";

export interface EvaluationOutcome {
  conclusion: "success" | "failure" | "pending" | "skipped";
  stacks: string[];
}

/** The commands queued for the PR: looked up, decided, carried out. Whether the PR must be read again. */
async function runCommands(rt: Runtime, port: GitHubPort, record: PullRecord, gathered: GatheredPull) {
  const { snapshot, requests } = gathered;
  const { repo } = record;
  const lookups = commandLookups(requests, snapshot.stacks);
  const permissions: Record<string, Permission | "none"> = {};
  for (const login of lookups.permissionsOf)
    permissions[login] = await permissionOf(rt, port, repo.repoId, login);
  const teams: Record<string, string[]> = {};
  for (const { login, teams: candidates } of lookups.teamsOf) {
    teams[login] = [];
    for (const team of candidates)
      if (await isTeamMember(rt, port, repo.owner, team, login)) teams[login].push(team);
  }
  const intents = decideCommands({ pull: record, stacks: snapshot.stacks, requests, permissions, teams });
  return carryOutCommands(rt, port, record, intents);
}

/**
 * Everything flowgate shows on an open PR, recomputed from facts (SPEC §3): gather what there is to
 * read, carry out queued commands (reading again if they changed something), decide, then write the
 * `flowgate` check, one plan check per stack, the sticky comment and auto-merge.
 */
export async function evaluatePull(rt: Runtime, record: PullRecord): Promise<EvaluationOutcome> {
  const port = rt.github(record.repo);
  let gathered = await gatherPull(rt, port, record);
  if (gathered.requests.length && (await runCommands(rt, port, record, gathered))) {
    const carriedOut = new Set(gathered.requests.map((r) => r.id));
    gathered = await gatherPull(rt, port, record);
    // A command that arrived while the first ones were carried out is left for the next evaluation
    // (its webhook moved the PR's counter): answered now, an approval never recorded would be lost.
    const { snapshot } = gathered;
    gathered = {
      ...gathered,
      snapshot: {
        ...snapshot,
        approvalRequests: snapshot.approvalRequests.filter((r) => carriedOut.has(r.id)),
      },
    };
  }
  const evaluation = decidePullEvaluation(gathered.snapshot);
  await carryOutEvaluation(rt, port, record, gathered.snapshot, evaluation);
  const { decision, stackViews } = evaluation;
  rt.metrics.evaluations.inc({ conclusion: decision.conclusion });
  rt.log.debug(
    {
      repo: `${record.repo.owner}/${record.repo.repo}`,
      pr: record.facts.number,
      conclusion: decision.conclusion,
    },
    "evaluated",
  );
  return { conclusion: decision.conclusion, stacks: stackViews.map((v) => v.stack.name) };
}
