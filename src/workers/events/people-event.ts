import type { Runtime } from "../../runtime/runtime.js";
import { keys } from "../../state/keys.js";
import type { FlowgateEvent, RepoInfo } from "../../webhooks/events.js";
import { requestPullEvaluation } from "../request.js";

type PeopleEvent = Extract<FlowgateEvent, { type: "people" }>;

/**
 * Someone's access changed: forget what flowgate cached about it and evaluate the open PRs it can
 * touch again, so an approval by someone who just lost write access or left a team stops counting
 * at once, not when the cache expires or the PR next changes.
 */
export async function handlePeopleEvent(rt: Runtime, event: PeopleEvent): Promise<void> {
  if (event.repo && event.login) await rt.facts.forget(keys.permission(event.repo.repoId, event.login));
  if (event.team) {
    await rt.facts.forgetMatching(keys.teamPattern(event.org, event.team));
  }
  if (event.login) {
    await rt.facts.forgetMatching(keys.teamPattern(event.org, "*", event.login));
  }
  const repos = event.repo && !event.team ? [event.repo] : await reposWithOpenPulls(rt, event.org);
  for (const repo of repos) {
    for (const n of await rt.pulls.openPullNumbers(repo.repoId)) {
      await requestPullEvaluation(rt, repo, n, "access changed");
    }
  }
}

/** The organization's repositories that have open PRs flowgate follows. */
async function reposWithOpenPulls(rt: Runtime, org: string): Promise<RepoInfo[]> {
  const repos: RepoInfo[] = [];
  for (const { repoId, number } of await rt.pulls.oneOpenPullPerRepo()) {
    const record = await rt.pulls.get(repoId, number);
    if (record && record.repo.owner.toLowerCase() === org.toLowerCase()) repos.push(record.repo);
  }
  return repos;
}
