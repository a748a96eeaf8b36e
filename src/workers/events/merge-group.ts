import type { Runtime } from "../../app/runtime.js";
import { AGGREGATE_CHECK } from "../../render/pull-checks.js";
import type { FlowgateEvent } from "../../webhooks/events.js";

type MergeGroupEvent = Extract<FlowgateEvent, { type: "merge-group" }>;

/** `gh-readonly-queue/<base>/pr-<number>-<sha>`: the PR this group adds to the queue. */
const GROUP_REF = /(?:^|\/)pr-(\d+)-[0-9a-f]+$/;

/**
 * Merge queues (SPEC §3): `flowgate` passes on the group's head only when the PR it adds passed.
 * The PRs ahead of it in the queue each have their own group, and GitHub merges a group only when
 * every group before it passed, so every PR in a merged group has passed.
 */
export async function handleMergeGroup(rt: Runtime, event: MergeGroupEvent): Promise<void> {
  const { repo } = event;
  const number = Number(GROUP_REF.exec(event.headRef)?.[1] ?? Number.NaN);
  const record = Number.isFinite(number) ? await rt.pulls.get(repo.repoId, number) : undefined;
  const last = record?.lastDecision;
  const passed =
    record !== undefined && last?.headSha === record.facts.headSha && last.conclusion === "success";
  const reason = !record
    ? `flowgate has no record of the PR in merge group ${event.headRef}`
    : !last || last.headSha !== record.facts.headSha
      ? `PR #${number} has not been evaluated at its head ${record.facts.headSha.slice(0, 7)} yet`
      : `PR #${number}: ${last.title}`;
  await rt.github(repo).createCheckRun({
    name: AGGREGATE_CHECK,
    headSha: event.headSha,
    status: "completed",
    conclusion: passed ? "success" : "failure",
    title: passed ? `PR #${number} passed flowgate` : "PR in this merge group has not passed flowgate",
    summary: reason,
  });
}
