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
    for (const key of await scan(rt, keys.teamPattern(event.org, event.team))) await rt.facts.forget(key);
  }
  if (event.login) {
    for (const key of await scan(rt, keys.teamPattern(event.org, "*", event.login)))
      await rt.facts.forget(key);
  }
  const repos = event.repo && !event.team ? [event.repo] : await reposWithOpenPulls(rt, event.org);
  for (const repo of repos) {
    for (const n of await rt.redis.smembers(keys.openPulls(repo.repoId))) {
      await requestPullEvaluation(rt, repo, Number(n), "access changed");
    }
  }
}

async function scan(rt: Runtime, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await rt.redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
    cursor = next;
    found.push(...batch);
  } while (cursor !== "0");
  return found;
}

/** The organization's repositories that have open PRs flowgate follows. */
async function reposWithOpenPulls(rt: Runtime, org: string): Promise<RepoInfo[]> {
  const repos: RepoInfo[] = [];
  for (const key of await scan(rt, keys.openPullsPattern())) {
    const repoId = Number(key.split(":")[2]);
    const [first] = await rt.redis.srandmember(key, 1);
    const record = first ? await rt.pulls.get(repoId, Number(first)) : undefined;
    if (record && record.repo.owner.toLowerCase() === org.toLowerCase()) repos.push(record.repo);
  }
  return repos;
}
