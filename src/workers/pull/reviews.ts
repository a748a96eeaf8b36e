import type { ApprovalEvent } from "../../engine/approvals.js";
import type { GitHubPort } from "../../github/port.js";
import type { Runtime } from "../../runtime/runtime.js";
import type { PullRecord, StoredReview } from "../../state/pulls.js";

/** A review as an approval event: APPROVED approves, CHANGES_REQUESTED rejects, others are ignored. */
export function reviewToEvent(r: StoredReview): ApprovalEvent | undefined {
  if (r.state !== "APPROVED" && r.state !== "CHANGES_REQUESTED") return undefined;
  return {
    id: `review-${r.id}`,
    kind: r.state === "APPROVED" ? "approve" : "reject",
    source: "review",
    login: r.login,
    isBot: r.isBot,
    at: new Date(r.submittedAt),
    headSha: r.commitId,
    seq: r.id,
  };
}

/**
 * Reviews come from webhooks; the first time a PR is seen without any (a missed event, a Redis loss),
 * they are listed once from GitHub.
 */
export async function reviewEvents(
  rt: Runtime,
  port: GitHubPort,
  record: PullRecord,
): Promise<ApprovalEvent[]> {
  const { repoId } = record.repo;
  const n = record.facts.number;
  let reviews = await rt.pulls.reviews(repoId, n);
  if (!record.reviewsListed) {
    const listed = (await port.listReviews(n)).filter(
      (r) => r.state !== "DISMISSED" && r.state !== "PENDING",
    );
    for (const r of listed) await rt.pulls.putReview(repoId, n, r);
    await rt.pulls.records.update(`${repoId}:${n}`, (doc) =>
      doc.reviewsListed ? undefined : { ...doc, reviewsListed: true },
    );
    reviews = await rt.pulls.reviews(repoId, n);
  }
  return reviews.flatMap((r) => {
    const e = reviewToEvent(r);
    return e ? [e] : [];
  });
}
