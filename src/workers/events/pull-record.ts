import type { PullRecord } from "../../state/pulls.js";
import type { FlowgateEvent } from "../../webhooks/events.js";

type PullEvent = Extract<FlowgateEvent, { type: "pull" }>;

/** Follows pushes already seen that build on the stored head: deliveries in any order end on the last push. */
function fastForward(record: PullRecord, frozen: boolean): void {
  if (frozen || record.facts.state !== "open") return;
  const seen = new Set<string>();
  for (;;) {
    const push = record.pushes?.find((p) => p.before === record.facts.headSha);
    if (!push || seen.has(push.before)) return;
    seen.add(push.before);
    record.facts = { ...push.facts, labels: record.facts.labels };
    if (push.at > record.updatedAt) record.updatedAt = push.at;
  }
}

/**
 * What a `pull_request` event changes in the stored record. Deliveries come in any order: facts from
 * an event older than what is stored are not applied, but the pushes and base changes it reports are.
 */
export function recordPullEvent(doc: PullRecord, event: PullEvent): PullRecord {
  const { repo, pull } = event;
  const at = event.at;
  // GitHub stamps events to the second, so a burst of pushes ties on `at`: a push that replaced the
  // stored head is newer, and an event about a head some push replaced is older, whatever its time.
  const superseded = doc.supersededHeads ?? [];
  const continuesStoredHead = event.before !== undefined && event.before === doc.facts.headSha;
  // A merge is final: an event about the PR before it (delivered late, same second) never reopens it.
  const unmerges = doc.facts.merged && !pull.merged;
  // A push that does not build on the stored head is newer only when GitHub's clock says so; in a
  // tie it is kept, and applied once the push it builds on arrives (below).
  const fresher = event.before !== undefined ? at > doc.updatedAt : at >= doc.updatedAt;
  const newer = !unmerges && (continuesStoredHead || (fresher && !superseded.includes(pull.headSha)));
  const next: PullRecord = { ...doc, repo };
  if (newer) {
    next.facts = pull;
    if (at > doc.updatedAt) next.updatedAt = at;
  }
  if (event.before && event.before !== pull.headSha) {
    const kept = superseded.filter((h) => h !== event.before && !(newer && h === pull.headSha));
    next.supersededHeads = [...kept, event.before].slice(-100);
    const others = (doc.pushes ?? []).filter((p) => p.before !== event.before);
    next.pushes = [...others, { before: event.before, facts: pull, at }].slice(-20);
  }
  fastForward(next, unmerges);
  // `autoMergeFor` stays: GitHub's auto-merge is still on for the old head, and the evaluation of the new
  // head must see that to turn it off (SPEC §3 step 7) or re-enable it with the new head SHA.
  // ISO times compare as text; the later of the event and a push it fast-forwarded to
  if (next.facts.headSha !== doc.facts.headSha) next.headPushedAt = [next.updatedAt, at].sort().at(-1) ?? at;
  if (event.action === "synchronize" && event.sender.login && !next.pushers.includes(event.sender.login)) {
    next.pushers = [...next.pushers, event.sender.login];
  }
  if (event.baseChanged && (!doc.baseChangedAt || at > doc.baseChangedAt)) next.baseChangedAt = at;
  return next;
}
