import type { Redis } from "ioredis";
import type { ApprovalEvent } from "../engine/approvals.js";
import type { CommandRequest } from "../engine/commands.js";

export type { CommandRequest };

import type { PullFacts, RepoInfo } from "../model/repo.js";
import { keys } from "./keys.js";
import { VersionedStore } from "./versioned.js";

const PULL_TTL_SECONDS = 60 * 24 * 3600;

/** What flowgate remembers about a pull request between events. */
export interface PullRecord {
  repo: RepoInfo;
  facts: PullFacts;
  /** when the current head arrived: a comment approval must come after it (SPEC §3.1) */
  headPushedAt: string;
  baseChangedAt?: string;
  /** everyone seen pushing to the PR (SPEC §3.1 "authors") */
  pushers: string[];
  /** heads replaced by a push, newest last: an event about one of them is older than what is stored */
  supersededHeads?: string[];
  /** recent pushes, newest last: a push delivered before the one it builds on is applied when that one arrives */
  pushes?: { before: string; facts: PullFacts; at: string }[];
  /** heads whose commit authors were already listed */
  pushersListedFor?: string;
  /** reviews were listed from GitHub once (later ones arrive by webhook) */
  reviewsListed?: boolean;
  /** the sticky comment, as records before issue 11 kept it (now in the comment's memo only) */
  commentId?: number;
  /**
   * flowgate saw the PR from its `opened` event and never began posting its sticky comment: there is
   * none to look for (saves listing the comments of every new PR)
   */
  noStickyYet?: boolean;
  /** the `flowgate` conclusion last written, for merge queues */
  lastDecision?: { headSha: string; conclusion: "success" | "failure" | "pending"; title: string };
  /** the head auto-merge was enabled for, if it is */
  autoMergeFor?: string;
  updatedAt: string;
}

export interface StoredReview {
  id: number;
  login: string;
  isBot: boolean;
  state: string;
  commitId: string;
  submittedAt: string;
}

export interface OverrideRecord {
  login: string;
  at: string;
  reason: string;
  headSha: string;
  commentId: number;
}

/** What the PR approved for a stack: offered for carry-over after the merge (SPEC §4). */
export interface ApprovedPlan {
  headSha: string;
  fingerprint: string;
  approvers: string[];
}

export interface CheckMemo {
  id: number;
  /** hash of what was last written, so an unchanged check is not written again */
  hash: string;
}

export class PullStore {
  readonly records: VersionedStore<PullRecord>;

  constructor(private readonly redis: Redis) {
    this.records = new VersionedStore<PullRecord>(redis, (id) => `fg:pr:${id}`, PULL_TTL_SECONDS * 1000);
  }

  static id(repoId: number, n: number): string {
    return `${repoId}:${n}`;
  }

  async get(repoId: number, n: number): Promise<PullRecord | undefined> {
    return (await this.records.get(PullStore.id(repoId, n)))?.doc;
  }

  async addEvent(repoId: number, n: number, event: ApprovalEvent): Promise<void> {
    const key = keys.pullEvents(repoId, n);
    await Promise.all([
      this.redis.rpush(key, JSON.stringify(event)),
      this.redis.ltrim(key, -2000, -1),
      this.redis.expire(key, PULL_TTL_SECONDS),
    ]);
  }

  async events(repoId: number, n: number): Promise<ApprovalEvent[]> {
    const raw = await this.redis.lrange(keys.pullEvents(repoId, n), 0, -1);
    const seen = new Set<string>();
    const events: ApprovalEvent[] = [];
    for (const item of raw) {
      const e = JSON.parse(item) as ApprovalEvent & { at: string };
      // Redelivered webhooks may add an event twice; its id makes it count once.
      if (seen.has(e.id)) continue;
      seen.add(e.id);
      events.push({ ...e, at: new Date(e.at) });
    }
    return events;
  }

  async putReview(repoId: number, n: number, review: StoredReview): Promise<void> {
    const key = keys.pullReviews(repoId, n);
    await Promise.all([
      this.redis.hset(key, String(review.id), JSON.stringify(review)),
      this.redis.expire(key, PULL_TTL_SECONDS),
    ]);
  }

  async review(repoId: number, n: number, id: number): Promise<StoredReview | undefined> {
    const raw = await this.redis.hget(keys.pullReviews(repoId, n), String(id));
    return raw ? (JSON.parse(raw) as StoredReview) : undefined;
  }

  async deleteReview(repoId: number, n: number, id: number): Promise<void> {
    const dismissed = keys.pullDismissedReviews(repoId, n);
    await Promise.all([
      this.redis.hdel(keys.pullReviews(repoId, n), String(id)),
      this.redis.sadd(dismissed, String(id)),
      this.redis.expire(dismissed, PULL_TTL_SECONDS),
    ]);
  }

  async wasDismissed(repoId: number, n: number, id: number): Promise<boolean> {
    return (await this.redis.sismember(keys.pullDismissedReviews(repoId, n), String(id))) === 1;
  }

  /** Records a click; false when this person already clicked on this check run. */
  async firstClick(checkRunId: number, login: string): Promise<boolean> {
    return (
      (await this.redis.set(keys.checkClick(checkRunId, login), "1", "EX", PULL_TTL_SECONDS, "NX")) === "OK"
    );
  }

  async reviews(repoId: number, n: number): Promise<StoredReview[]> {
    const raw = await this.redis.hvals(keys.pullReviews(repoId, n));
    return raw.map((r) => JSON.parse(r) as StoredReview);
  }

  async hasReviews(repoId: number, n: number): Promise<boolean> {
    return (await this.redis.exists(keys.pullReviews(repoId, n))) === 1;
  }

  async addOverride(repoId: number, n: number, o: OverrideRecord): Promise<void> {
    const key = keys.pullOverrides(repoId, n);
    await Promise.all([this.redis.rpush(key, JSON.stringify(o)), this.redis.expire(key, PULL_TTL_SECONDS)]);
  }

  async overrides(repoId: number, n: number): Promise<OverrideRecord[]> {
    return (await this.redis.lrange(keys.pullOverrides(repoId, n), 0, -1)).map(
      (o) => JSON.parse(o) as OverrideRecord,
    );
  }

  async addRequest(repoId: number, n: number, request: CommandRequest): Promise<void> {
    const key = keys.pullRequests(repoId, n);
    await Promise.all([
      this.redis.rpush(key, JSON.stringify(request)),
      this.redis.expire(key, PULL_TTL_SECONDS),
    ]);
  }

  /** Requests not yet carried out, oldest first. */
  async pendingRequests(repoId: number, n: number): Promise<CommandRequest[]> {
    const [raw, done] = await Promise.all([
      this.redis.lrange(keys.pullRequests(repoId, n), 0, -1),
      this.redis.smembers(keys.pullRequestsDone(repoId, n)),
    ]);
    const finished = new Set(done);
    const seen = new Set<string>();
    return raw
      .map((r) => JSON.parse(r) as CommandRequest)
      .filter((r) => !finished.has(r.id) && !seen.has(r.id) && seen.add(r.id));
  }

  /** Whether this standing rejection is counted for the first time (metrics count each once). */
  async countRejectionOnce(repoId: number, n: number, id: string): Promise<boolean> {
    const key = keys.pullRejectionsCounted(repoId, n);
    const [added] = await Promise.all([this.redis.sadd(key, id), this.redis.expire(key, PULL_TTL_SECONDS)]);
    return added === 1;
  }

  async finishRequest(repoId: number, n: number, request: CommandRequest): Promise<void> {
    const doneKey = keys.pullRequestsDone(repoId, n);
    await Promise.all([
      this.redis.sadd(doneKey, request.id),
      this.redis.expire(doneKey, PULL_TTL_SECONDS),
      this.redis.lrem(keys.pullRequests(repoId, n), 0, JSON.stringify(request)),
    ]);
  }

  async setApproved(
    repoId: number,
    n: number,
    stack: string,
    approved: ApprovedPlan | undefined,
  ): Promise<void> {
    const key = keys.pullApproved(repoId, n);
    if (approved)
      await Promise.all([
        this.redis.hset(key, stack, JSON.stringify(approved)),
        this.redis.expire(key, PULL_TTL_SECONDS),
      ]);
    else await this.redis.hdel(key, stack);
  }

  async approved(repoId: number, n: number, stack: string): Promise<ApprovedPlan | undefined> {
    const raw = await this.redis.hget(keys.pullApproved(repoId, n), stack);
    return raw ? (JSON.parse(raw) as ApprovedPlan) : undefined;
  }

  async checkMemo(repoId: number, n: number, sha: string, name: string): Promise<CheckMemo | undefined> {
    const raw = await this.redis.hget(keys.pullChecks(repoId, n), `${sha}|${name}`);
    return raw ? (JSON.parse(raw) as CheckMemo) : undefined;
  }

  async setCheckMemo(repoId: number, n: number, sha: string, name: string, memo: CheckMemo): Promise<void> {
    const key = keys.pullChecks(repoId, n);
    await Promise.all([
      this.redis.hset(key, `${sha}|${name}`, JSON.stringify(memo)),
      this.redis.expire(key, PULL_TTL_SECONDS),
    ]);
  }

  async planJobId(repoId: number, n: number, sha: string, stack: string): Promise<string | undefined> {
    return (await this.redis.hget(keys.pullPlans(repoId, n), `${sha}|${stack}`)) ?? undefined;
  }

  /** Remember the plan job of a stack at a head; false when another one was set first. */
  async setPlanJobId(
    repoId: number,
    n: number,
    sha: string,
    stack: string,
    jobId: string,
    replace = false,
  ): Promise<boolean> {
    const key = keys.pullPlans(repoId, n);
    const field = `${sha}|${stack}`;
    const [ok] = await Promise.all([
      replace ? this.redis.hset(key, field, jobId).then(() => 1) : this.redis.hsetnx(key, field, jobId),
      this.redis.expire(key, PULL_TTL_SECONDS),
    ]);
    return ok === 1;
  }

  async planJobIds(repoId: number, n: number): Promise<Record<string, string>> {
    return this.redis.hgetall(keys.pullPlans(repoId, n));
  }

  async cachedFiles(repoId: number, n: number, baseRef: string, sha: string): Promise<string | null> {
    return this.redis.get(keys.pullFiles(repoId, n, baseRef, sha));
  }

  async cacheFiles(repoId: number, n: number, baseRef: string, sha: string, json: string): Promise<void> {
    await this.redis.set(keys.pullFiles(repoId, n, baseRef, sha), json, "EX", 7 * 24 * 3600);
  }

  /** An event arrived: evaluations with a lower number are out of date. */
  async bumpSeq(repoId: number, n: number): Promise<number> {
    const key = keys.pullSeq(repoId, n);
    const [seq] = await Promise.all([this.redis.incr(key), this.redis.expire(key, PULL_TTL_SECONDS)]);
    return seq;
  }

  async seq(repoId: number, n: number): Promise<number> {
    return Number((await this.redis.get(keys.pullSeq(repoId, n))) ?? 0);
  }

  async doneSeq(repoId: number, n: number): Promise<number> {
    return Number((await this.redis.get(keys.pullDone(repoId, n))) ?? 0);
  }

  async setDone(repoId: number, n: number, seq: number): Promise<void> {
    await this.redis.set(keys.pullDone(repoId, n), String(seq), "EX", PULL_TTL_SECONDS);
  }

  /** The open PRs flowgate follows in a repository. */
  async openPullNumbers(repoId: number): Promise<number[]> {
    return (await this.redis.smembers(keys.openPulls(repoId))).map(Number);
  }

  /** One open PR of every repository that has some (its record carries the repository). */
  async oneOpenPullPerRepo(): Promise<{ repoId: number; number: number }[]> {
    const found: { repoId: number; number: number }[] = [];
    let cursor = "0";
    do {
      const [next, batch] = await this.redis.scan(cursor, "MATCH", keys.openPullsPattern(), "COUNT", 500);
      cursor = next;
      for (const key of batch) {
        const [first] = await this.redis.srandmember(key, 1);
        if (first) found.push({ repoId: Number(key.split(":")[2]), number: Number(first) });
      }
    } while (cursor !== "0");
    return found;
  }

  async markOpen(repoId: number, n: number, open: boolean): Promise<void> {
    if (open) await this.redis.sadd(keys.openPulls(repoId), String(n));
    else await this.redis.srem(keys.openPulls(repoId), String(n));
  }
}
