import { TERMINAL_STATUSES } from "../../engine/stack-job/types.js";
import { CONFIG_DIR } from "../../github/config-source.js";
import type { GitHubPort, PullInfo } from "../../github/port.js";
import { toFacts } from "../../github/shapes.js";
import { safeId } from "../../queue/queues.js";
import type { Runtime } from "../../runtime/runtime.js";
import { PullStore } from "../../state/pulls.js";
import { type DefaultBranchHead, ReconcileMemory } from "../../state/reconcile.js";
import type { RepoInfo } from "../../webhooks/events.js";
import { handleRunEvent } from "../jobs/run-update.js";
import { inRecovery } from "../pull/lost-state.js";
import { requestPullEvaluation } from "../request.js";

export interface ReconcileReport {
  repos: number;
  /** left out: no configuration there nor in the organization, and no push since (state/reconcile.ts) */
  reposAtRest: number;
  pullsReevaluated: number;
  jobsNudged: number;
  commitsRecovered: number;
  lostStateDetected: boolean;
}

/**
 * Flowgate's state in Redis is gone for this installation (a fresh Redis) while GitHub shows it was at
 * work (its check runs): manual gate state was lost and jobs must be rebuilt carefully (SPEC §7).
 */
async function detectLostState(
  rt: Runtime,
  installationId: number,
  ports: GitHubPort[],
  heads: string[][],
): Promise<boolean> {
  if (await rt.installations.seen(installationId)) return false;
  let worked = false;
  for (const [i, port] of ports.entries()) {
    for (const sha of heads[i] ?? []) {
      const runs = await port.listCheckRuns(sha);
      if (
        runs.some((r) => r.name.startsWith("flowgate") && (r.appSlug === null || r.appSlug === rt.appSlug))
      ) {
        worked = true;
        break;
      }
    }
    if (worked) break;
  }
  const now = rt.clock.now().toISOString();
  await rt.installations.markSeen(installationId, now, worked);
  if (worked)
    rt.log.warn(
      { installationId },
      "flowgate state for this installation was lost: gates count as closed until set again, jobs are rebuilt from GitHub",
    );
  return worked;
}

/** The installation's repositories, asked conditionally: an unchanged list costs nothing. */
async function listRepos(rt: Runtime, memory: ReconcileMemory, installationId: number): Promise<RepoInfo[]> {
  const port = rt.github({ installationId, owner: "", repo: "" });
  const previous = await memory.installationRepos(installationId);
  const listed = await port.listInstallationRepos(previous);
  const repos = listed.pages.flatMap((p) => p.items);
  if (listed.changed) {
    await memory.saveInstallationRepos(installationId, listed.pages);
    const kept = new Set(repos.map((r) => r.id));
    for (const gone of previous.flatMap((p) => p.items))
      if (!kept.has(gone.id)) await memory.forgetRepo(gone.id);
  }
  return repos.map((r) => ({
    installationId,
    owner: r.owner,
    repo: r.repo,
    repoId: r.id,
    defaultBranch: r.defaultBranch,
    private: r.private,
  }));
}

/** A repository's open PRs, asked conditionally: after a 304 the previous answer still holds. */
async function listOpenPulls(memory: ReconcileMemory, port: GitHubPort, repo: RepoInfo): Promise<PullInfo[]> {
  const listed = await port.listOpenPulls(await memory.openPulls(repo.repoId));
  if (listed.changed) await memory.saveOpenPulls(repo.repoId, listed.pages);
  return listed.pages.flatMap((p) => p.items);
}

interface HeadAnswer {
  head: DefaultBranchHead;
  /** not the head this memory held before (or none was held) */
  moved: boolean;
}

/** The default branch's head, asked conditionally; undefined for a repository without one (empty). */
async function defaultBranchHead(
  memory: ReconcileMemory,
  port: GitHubPort,
  repo: RepoInfo,
): Promise<HeadAnswer | undefined> {
  const known = await memory.defaultBranchHead(repo.repoId);
  const answer = await port.branchHead(repo.defaultBranch, known?.etag);
  if (answer.status === "not-modified") return known ? { head: known, moved: false } : undefined;
  if (answer.status === "not-found") return undefined;
  const head: DefaultBranchHead = { sha: answer.value, ...(answer.etag ? { etag: answer.etag } : {}) };
  if (known?.sha === head.sha) {
    // The same head under a new ETag (GitHub's ETags differ from one installation token to the next):
    // what was learnt about it still holds.
    const same = known.configured === undefined ? head : { ...head, configured: known.configured };
    if (same.etag !== known.etag) await memory.saveDefaultBranchHead(repo.repoId, same);
    return { head: same, moved: false };
  }
  await memory.saveDefaultBranchHead(repo.repoId, head);
  return { head, moved: true };
}

/** Whether `.github/flowgate/` is on the default branch: looked at once per head (a 404 is charged). */
async function configuredAt(
  rt: Runtime,
  memory: ReconcileMemory,
  port: GitHubPort,
  repo: RepoInfo,
  head: DefaultBranchHead,
): Promise<boolean> {
  if (head.configured !== undefined) return head.configured;
  let configured: boolean;
  try {
    configured = (await port.listDirectory(CONFIG_DIR, head.sha)).status !== "not-found";
  } catch (error) {
    // Only a 404 means "no configuration" (SPEC §2): a repository that cannot be read stays awake.
    rt.log.warn({ err: error, repo: `${repo.owner}/${repo.repo}` }, "cannot tell whether it is configured");
    return true;
  }
  await memory.saveDefaultBranchHead(repo.repoId, { ...head, configured });
  return configured;
}

/** Open PRs whose latest head or state flowgate has not evaluated get evaluated. */
async function reconcilePulls(
  rt: Runtime,
  memory: ReconcileMemory,
  port: GitHubPort,
  repo: RepoInfo,
): Promise<number> {
  // Compared with flowgate's records even when GitHub answered 304: an evaluation asked for by an
  // earlier pass may not have happened.
  const open = await listOpenPulls(memory, port, repo);
  let count = 0;
  const openNumbers = new Set(open.map((p) => p.number));
  for (const pull of open) {
    const record = await rt.pulls.get(repo.repoId, pull.number);
    const facts = toFacts(pull, `${repo.owner}/${repo.repo}`);
    const stale =
      !record ||
      record.facts.headSha !== pull.headSha ||
      record.lastDecision?.headSha !== pull.headSha ||
      record.facts.draft !== pull.draft;
    if (!stale) continue;
    const id = PullStore.id(repo.repoId, pull.number);
    if (!record) {
      const at = rt.clock.now().toISOString();
      await rt.pulls.records.create(id, {
        repo,
        facts,
        headPushedAt: pull.updatedAt || at,
        pushers: [pull.author],
        updatedAt: pull.updatedAt || at,
      });
    } else if (record.facts.headSha !== pull.headSha) {
      // Never back to a head a push replaced, and only over the head this pass saw: a webhook handled
      // since the listing knows better.
      await rt.pulls.records.update(id, (doc) =>
        doc.facts.headSha === record.facts.headSha && !(doc.supersededHeads ?? []).includes(pull.headSha)
          ? {
              ...doc,
              facts,
              headPushedAt: pull.updatedAt || doc.headPushedAt,
              updatedAt: pull.updatedAt || doc.updatedAt,
            }
          : undefined,
      );
    }
    await rt.pulls.markOpen(repo.repoId, pull.number, true);
    await requestPullEvaluation(rt, repo, pull.number, "reconciliation");
    count++;
  }
  // PRs flowgate thinks are open but GitHub closed (a missed `closed` event).
  for (const n of await rt.pulls.openPullNumbers(repo.repoId)) {
    if (openNumbers.has(n)) continue;
    const pull = await port.getPull(n);
    await rt.pulls.records.update(PullStore.id(repo.repoId, pull.number), (doc) => ({
      ...doc,
      facts: toFacts(pull, `${repo.owner}/${repo.repo}`),
    }));
    await rt.pulls.markOpen(repo.repoId, pull.number, false);
  }
  return count;
}

/** Unfinished jobs get moved on: a lost dispatch step, a run that finished without its webhook, a passed deadline. */
async function reconcileJobs(rt: Runtime, repos: Map<string, RepoInfo>): Promise<number> {
  let nudged = 0;
  const now = rt.clock.now();
  for (const job of await rt.jobs.getMany(await rt.jobs.openJobIds())) {
    if (!job || TERMINAL_STATUSES.has(job.status)) continue;
    const repo = repos.get(`${job.owner}/${job.repo}`);
    if (!repo) continue;
    const runIndex = job.runs.length - 1;
    const run = job.runs[runIndex];
    if (job.deadline && Date.parse(job.deadline) <= now.getTime()) {
      await rt.queues.addStep(
        { step: "timeout", jobId: job.id, deadline: job.deadline },
        safeId("timeout", job.id, Date.parse(job.deadline), "reconcile"),
      );
      nudged++;
    } else if (run && run.status === "dispatching") {
      await rt.queues.addStep(
        { step: "dispatch", jobId: job.id, runIndex },
        safeId("dispatch", job.id, runIndex, "reconcile", now.getTime()),
      );
      nudged++;
    } else if (
      run?.runId &&
      (run.status === "dispatched" || run.status === "running" || run.status === "waiting")
    ) {
      const current = await rt.github(repo).getRun(run.runId);
      if (current.status === "completed") {
        await handleRunEvent(rt, {
          type: "run",
          repo,
          action: "completed",
          run: current,
        });
        nudged++;
      }
    } else if (job.kind === "apply" && job.status === "queued") {
      await rt.queues.addStep(
        { step: "advance", jobId: job.id, reason: "reconciliation" },
        safeId("advance", job.id, "reconcile", now.getTime()),
      );
      nudged++;
    }
  }
  return nudged;
}

/**
 * Commits on the default branch since the last one flowgate handled get their apply jobs, so a missed
 * merge is repaired. Only a head that moved since the previous pass is looked at: an unchanged branch
 * costs nothing (a commit whose handling stopped early leaves lastSeenCommit behind for good).
 */
async function reconcileCommits(
  rt: Runtime,
  port: GitHubPort,
  repo: RepoInfo,
  answer: HeadAnswer | undefined,
): Promise<number> {
  if (!answer) return 0;
  const head = answer.head.sha;
  const last = await rt.applies.lastSeenCommit(repo.repoId);
  if (!last) {
    await rt.applies.setLastSeenCommit(repo.repoId, head);
    // First sight of this repository: its history is not ours to apply. After a loss of state,
    // though, merges whose apply checks never finished get their jobs back (same ids; they adopt
    // the runs already started instead of dispatching again).
    return (await inRecovery(rt, repo.installationId)) ? rebuildUnfinishedApplies(rt, port, repo) : 0;
  }
  if (!answer.moved || last === head) return 0;
  const commits = await port.listCommits(repo.defaultBranch);
  const missed: { sha: string; parent: string }[] = [];
  for (const c of commits) {
    if (c.sha === last) break;
    missed.push({ sha: c.sha, parent: c.parents[0] ?? last });
  }
  if (missed.length === commits.length) missed.splice(0, missed.length, { sha: head, parent: last });
  for (const c of missed.reverse()) {
    await rt.queues.addStep(
      { step: "commit", repo, before: c.parent, after: c.sha, pusher: "reconciliation" },
      safeId("commit", repo.repoId, c.sha),
    );
  }
  return missed.length;
}

/** How far back a recovery looks for merges whose applies did not finish. */
const RECOVERY_COMMITS = 30;

async function rebuildUnfinishedApplies(rt: Runtime, port: GitHubPort, repo: RepoInfo): Promise<number> {
  const commits = (await port.listCommits(repo.defaultBranch)).slice(0, RECOVERY_COMMITS);
  let rebuilt = 0;
  for (const c of commits.reverse()) {
    const checks = (await port.listCheckRuns(c.sha)).filter(
      (r) => r.name.startsWith("flowgate/apply: ") && (r.appSlug === null || r.appSlug === rt.appSlug),
    );
    if (!checks.some((r) => r.status !== "completed")) continue;
    await rt.queues.addStep(
      { step: "commit", repo, before: c.parents[0] ?? c.sha, after: c.sha, pusher: "recovery" },
      safeId("commit", repo.repoId, c.sha, "recovery"),
    );
    rebuilt++;
  }
  return rebuilt;
}

const isOrgConfigRepo = (repo: RepoInfo) => repo.repo.toLowerCase() === ".github";

/**
 * One pass over an installation: open PRs, unfinished jobs, default-branch commits (SPEC §7). Every
 * list and branch is asked conditionally, so a pass over an unchanged installation costs no charged
 * request; repositories at rest cost no request at all.
 */
export async function reconcileInstallation(rt: Runtime, installationId: number): Promise<ReconcileReport> {
  const memory = new ReconcileMemory(rt.redis);
  // The organization's `.github` first: configuration there keeps every repository of the owner awake.
  const repos = (await listRepos(rt, memory, installationId)).sort(
    (a, b) => Number(isOrgConfigRepo(b)) - Number(isOrgConfigRepo(a)),
  );
  const ports = repos.map((r) => rt.github(r));
  const report: ReconcileReport = {
    repos: repos.length,
    reposAtRest: 0,
    pullsReevaluated: 0,
    jobsNudged: 0,
    commitsRecovered: 0,
    lostStateDetected: false,
  };
  if (!(await rt.installations.seen(installationId))) {
    const heads: string[][] = [];
    // Where flowgate's checks would be: open PR heads, and the default branch's head (apply checks).
    for (const [i, port] of ports.entries()) {
      const branch = await defaultBranchHead(memory, port, repos[i]!);
      const pulls = (await listOpenPulls(memory, port, repos[i]!)).map((p) => p.headSha).slice(0, 20);
      heads.push(branch ? [branch.head.sha, ...pulls] : pulls);
    }
    report.lostStateDetected = await detectLostState(rt, installationId, ports, heads);
  }
  const configuredOrgs = new Set<string>();
  for (const [i, repo] of repos.entries()) {
    const port = ports[i]!;
    const owner = repo.owner.toLowerCase();
    if (!configuredOrgs.has(owner) && (await memory.isAtRest(repo.repoId, repo.defaultBranch))) {
      report.reposAtRest++;
      continue;
    }
    report.pullsReevaluated += await reconcilePulls(rt, memory, port, repo);
    const head = await defaultBranchHead(memory, port, repo);
    report.commitsRecovered += await reconcileCommits(rt, port, repo, head);
    const configured = head ? await configuredAt(rt, memory, port, repo, head.head) : false;
    if (configured && isOrgConfigRepo(repo)) configuredOrgs.add(owner);
    // No configuration here nor in the organization: asked again after a push to the default branch
    // (install.ts wakes it) or when the rest ends, so that an organization of many repositories that
    // do not use flowgate costs nothing to reconcile.
    if (!configured && !configuredOrgs.has(owner)) await memory.putToRest(repo.repoId, repo.defaultBranch);
  }
  report.jobsNudged = await reconcileJobs(rt, new Map(repos.map((r) => [`${r.owner}/${r.repo}`, r])));
  rt.log.info({ installationId, ...report }, "reconciled");
  return report;
}
