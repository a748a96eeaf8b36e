import type { GitHubPort } from "../../github/port.js";
import { AGGREGATE_CHECK } from "../../render/pull-checks.js";
import type { Runtime } from "../../runtime/runtime.js";
import type { PullRecord } from "../../state/pulls.js";
import type { FlowgateEvent } from "../../webhooks/events.js";

type MergeGroupEvent = Extract<FlowgateEvent, { type: "merge-group" }>;

/** `gh-readonly-queue/<base>/pr-<number>-<sha>`: the PR this group adds to the queue. */
const GROUP_REF = /(?:^|\/)pr-(\d+)-[0-9a-f]+$/;
/** The commits a merge queue makes: "Merge pull request #12 from …" (merge) or "Title (#12)" (squash). */
const MERGE_TITLE = /^Merge pull request #(\d+) from /;
const SQUASH_TITLE = /\(#(\d+)\)$/;
/** Enough for any queue; a group naming more is refused rather than read without bound. */
const MAX_MEMBERS = 50;

/** The PRs a merge group holds: the one its branch names, and those its queue commits name. */
export function groupPullNumbers(headRef: string, titles: readonly string[]): number[] {
  const numbers = new Set<number>();
  const named = Number(GROUP_REF.exec(headRef)?.[1] ?? Number.NaN);
  if (Number.isFinite(named)) numbers.add(named);
  for (const title of titles) {
    const n = Number((MERGE_TITLE.exec(title) ?? SQUASH_TITLE.exec(title))?.[1] ?? Number.NaN);
    if (Number.isFinite(n)) numbers.add(n);
  }
  return [...numbers];
}

type Verdict = { number: number; passed: boolean; reason: string };

/** Whether one PR of the group passed flowgate at the head it is queued with. */
async function verdictFor(
  rt: Runtime,
  port: GitHubPort,
  event: MergeGroupEvent,
  number: number,
  named: boolean,
): Promise<Verdict | undefined> {
  const record: PullRecord | undefined = await rt.pulls.get(event.repo.repoId, number);
  if (!record) {
    // A number in a commit title may be an issue or a closed PR: only open PRs can be queued.
    const open = await port.getPull(number).then(
      (p) => p.state === "open",
      () => false,
    );
    if (!open && !named) return undefined;
    return { number, passed: false, reason: `PR #${number}: flowgate has no record of it` };
  }
  if (record.facts.state !== "open" && !named) return undefined;
  const last = record.lastDecision;
  if (!last || last.headSha !== record.facts.headSha)
    return {
      number,
      passed: false,
      reason: `PR #${number} has not been evaluated at its head ${record.facts.headSha.slice(0, 7)} yet`,
    };
  return { number, passed: last.conclusion === "success", reason: `PR #${number}: ${last.title}` };
}

/**
 * Merge queues (SPEC §3): `flowgate` passes on the group's head only when every PR in the group passed.
 * GitHub may batch several PRs into one group (and, when it may merge failing PRs with a passing
 * group, merge them all on this one check), so every PR the group's commits name is checked, not only
 * the one its branch names. Fails closed when the group cannot be read whole.
 */
export async function handleMergeGroup(rt: Runtime, event: MergeGroupEvent): Promise<void> {
  const { repo } = event;
  const port = rt.github(repo);
  const base = event.baseRef.replace(/^refs\/heads\//, "");
  const { titles, complete } = await port.compareCommitTitles(base, event.headSha);
  const named = Number(GROUP_REF.exec(event.headRef)?.[1] ?? Number.NaN);
  const numbers = groupPullNumbers(event.headRef, titles);
  const verdicts: Verdict[] = [];
  const problems: string[] = [];
  if (!complete)
    problems.push(
      "the merge group has more commits than GitHub lists, so flowgate cannot tell which PRs it holds",
    );
  if (numbers.length > MAX_MEMBERS) problems.push(`the merge group names more than ${MAX_MEMBERS} PRs`);
  else
    for (const n of numbers) {
      const v = await verdictFor(rt, port, event, n, n === named);
      if (v) verdicts.push(v);
    }
  if (verdicts.length === 0 && problems.length === 0)
    problems.push(`flowgate found no PR in merge group ${event.headRef}`);
  const failing = verdicts.filter((v) => !v.passed);
  const passed = problems.length === 0 && failing.length === 0;
  const list = verdicts.map((v) => `#${v.number}`).join(", ");
  await port.createCheckRun({
    name: AGGREGATE_CHECK,
    headSha: event.headSha,
    status: "completed",
    conclusion: passed ? "success" : "failure",
    title: passed
      ? `PR${verdicts.length > 1 ? "s" : ""} ${list} passed flowgate`
      : failing.length > 0
        ? `Not every PR in this merge group passed flowgate: ${failing.map((v) => `#${v.number}`).join(", ")}`
        : "PR in this merge group has not passed flowgate",
    summary: [...problems, ...verdicts.map((v) => `- ${v.passed ? "✅" : "❌"} ${v.reason}`)].join("\n"),
  });
}
