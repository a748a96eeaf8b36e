import type { Runtime } from "../../app/runtime.js";
import type { PullRecord } from "../../state/pulls.js";
import { PullStore } from "../../state/pulls.js";
import type { FlowgateEvent } from "../../webhooks/events.js";
import { requestPullEvaluation } from "../request.js";

type PullEvent = Extract<FlowgateEvent, { type: "pull" }>;

/** Hooks for the apply pipeline (a merged PR starts apply jobs). */
export const onMerged: ((rt: Runtime, event: PullEvent) => Promise<void>)[] = [];

/**
 * Records what a `pull_request` event says. Deliveries may arrive out of order: facts from an event
 * older than what is stored are not applied, but the pushes and base changes they report still are.
 */
export async function handlePullEvent(rt: Runtime, event: PullEvent, receivedAt: number): Promise<void> {
  const { repo, pull } = event;
  const id = PullStore.id(repo.repoId, pull.number);
  const at = event.at;
  const fresh: PullRecord = {
    repo,
    facts: pull,
    headPushedAt: at,
    pushers: [pull.author],
    updatedAt: at,
    ...(event.action === "opened" ? { reviewsListed: true } : {}),
  };
  const created = await rt.pulls.records.create(id, fresh);
  let record = fresh;
  if (!created) {
    const updated = await rt.pulls.records.update(id, (doc) => {
      const newer = at >= doc.updatedAt;
      const headChanged = pull.headSha !== doc.facts.headSha && newer;
      const next: PullRecord = { ...doc, repo };
      if (newer) {
        next.facts = pull;
        next.updatedAt = at;
      }
      if (headChanged) {
        next.headPushedAt = at;
        delete next.autoMergeFor;
      }
      if (
        event.action === "synchronize" &&
        event.sender.login &&
        !next.pushers.includes(event.sender.login)
      ) {
        next.pushers = [...next.pushers, event.sender.login];
      }
      if (event.baseChanged && (!doc.baseChangedAt || at > doc.baseChangedAt)) next.baseChangedAt = at;
      return next;
    });
    if (updated) record = updated.doc;
  }
  // Everyone who authored a commit of the PR counts as an author (SPEC §3.1): listed once per head.
  if (record.pushersListedFor !== record.facts.headSha && record.facts.state === "open") {
    const pushers = await rt.github(repo).listPullPushers(pull.number);
    await rt.pulls.records.update(id, (doc) => ({
      ...doc,
      pushers: [...new Set([...doc.pushers, ...pushers])],
      pushersListedFor: record.facts.headSha,
    }));
  }
  await rt.pulls.markOpen(repo.repoId, pull.number, record.facts.state === "open");
  if (event.action === "closed" && pull.merged) {
    for (const hook of onMerged) await hook(rt, event);
  }
  await requestPullEvaluation(rt, repo, pull.number, `pull_request ${event.action}`, receivedAt);
}
