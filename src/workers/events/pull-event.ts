import type { Runtime } from "../../runtime/runtime.js";
import type { PullRecord } from "../../state/pulls.js";
import { PullStore } from "../../state/pulls.js";
import type { FlowgateEvent } from "../../webhooks/events.js";
import { evaluatePullNow } from "../pull/now.js";
import { leaveSharedHead } from "../pull/shared-head.js";
import { recordPullEvent } from "./pull-record.js";

type PullEvent = Extract<FlowgateEvent, { type: "pull" }>;

/** Hooks for the apply pipeline (a merged PR starts apply jobs). */

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
    ...(event.action === "opened" ? { reviewsListed: true, noStickyYet: true } : {}),
    ...(event.before ? { supersededHeads: [event.before] } : {}),
  };
  const created = await rt.pulls.records.create(id, fresh);
  let record = fresh;
  if (!created) {
    const updated = await rt.pulls.records.update(id, (doc) => recordPullEvent(doc, event));
    if (updated) record = updated.doc;
  }
  // Everyone who pushed to the PR counts as an author (SPEC §3.1): the synchronize sender is kept here;
  // the commits' authors and committers are listed per head when an approval needs checking
  // (authorsOfHead in pull/people.ts).
  // The `flowgate` check of a head shared with other open PRs is rewritten when this PR leaves it.
  if (record.facts.state !== "open") await leaveSharedHead(rt, repo, pull.number, record.facts.headSha);
  if (event.before && event.before !== record.facts.headSha)
    await leaveSharedHead(rt, repo, pull.number, event.before);
  if (event.action === "closed" && pull.merged) {
    await rt.wiring.onMerged(rt, event);
  }
  const open = rt.pulls.markOpen(repo.repoId, pull.number, record.facts.state === "open");
  await evaluatePullNow(rt, repo, pull.number, `pull_request ${event.action}`, receivedAt, open);
}
