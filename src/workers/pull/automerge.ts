import type { PullDecision } from "../../engine/pull-decision.js";
import type { GitHubPort } from "../../github/port.js";
import type { Runtime } from "../../runtime/runtime.js";
import type { PullRecord } from "../../state/pulls.js";

/**
 * SPEC §3 step 7: when everything for auto-merge holds, enable GitHub auto-merge with the expected
 * head SHA, or merge directly (passing the head SHA) when the PR is already mergeable; when a
 * condition stops holding, turn auto-merge off again. Never merges a head it did not evaluate.
 */
export async function syncAutoMerge(
  rt: Runtime,
  port: GitHubPort,
  record: PullRecord,
  decision: PullDecision,
): Promise<void> {
  const { repo, facts } = record;
  const id = `${repo.repoId}:${facts.number}`;
  const log = rt.log.child({ repo: `${repo.owner}/${repo.repo}`, pr: facts.number });
  if (!decision.autoMerge.eligible) {
    if (record.autoMergeFor) {
      try {
        await port.disableAutoMerge(facts.nodeId);
      } catch (error) {
        log.warn({ err: error }, "could not turn auto-merge off");
      }
      await rt.pulls.records.update(id, (doc) => {
        delete doc.autoMergeFor;
        return doc;
      });
      await rt.audit.record({
        type: "merge",
        repo: `${repo.owner}/${repo.repo}`,
        pr: facts.number,
        decision: "auto-merge disabled",
        reason: decision.autoMerge.reason,
      });
    }
    return;
  }
  if (record.autoMergeFor === facts.headSha) return;
  // Claim this head first, so a second evaluation does not merge or enable twice.
  const claimed = await rt.pulls.records.update(id, (doc) =>
    doc.autoMergeFor === facts.headSha || doc.facts.headSha !== facts.headSha
      ? undefined
      : { ...doc, autoMergeFor: facts.headSha },
  );
  if (!claimed?.changed) return;
  const method = decision.autoMerge.method;
  const current = await port.getPull(facts.number);
  if (current.headSha !== facts.headSha || current.state !== "open") {
    log.info("head moved or PR closed since evaluation: not merging");
    return;
  }
  let outcome: string;
  if (
    current.mergeable === true &&
    (current.mergeableState === "clean" ||
      current.mergeableState === "unstable" ||
      current.mergeableState === "has_hooks")
  ) {
    outcome = await port.mergePull(facts.number, facts.headSha, method);
    if (outcome !== "merged") {
      await port.enableAutoMerge(facts.nodeId, facts.headSha, method);
      outcome = `auto-merge enabled (direct merge: ${outcome})`;
    }
  } else {
    await port.enableAutoMerge(facts.nodeId, facts.headSha, method);
    outcome = "auto-merge enabled";
  }
  await rt.audit.record({
    type: "merge",
    repo: `${repo.owner}/${repo.repo}`,
    pr: facts.number,
    decision: outcome,
    reason: decision.autoMerge.reason,
  });
}
