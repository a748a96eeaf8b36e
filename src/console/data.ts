/**
 * What the console shows, read from flowgate's own state and filtered to the repositories the
 * person can read. Plain data out; the views turn it into HTML and the API into JSON.
 */

import type { Approvers, Gate } from "../config/types.js";
import { evaluateGate } from "../engine/gates.js";
import type { StackJob } from "../engine/stack-job/types.js";
import type { Runtime } from "../runtime/runtime.js";
import type { RepoInfo } from "../webhooks/events.js";
import { storedJobRule } from "../workers/apply/plan-decisions.js";
import { type Person, repoName } from "./identity.js";

/** Statuses in which a job waits for a person (or a gate a person opens). */
const WAITING: Record<string, string> = {
  pending: "waits for /apply or flowgate apply --all-pending (disableOnLifecycleEvents)",
  awaiting_start: "waits for a manual start (isManual)",
  awaiting_approval: "waits for approval of its plan",
};

export interface WaitingItem {
  /** a stack job, or an open PR whose `flowgate` check does not pass yet */
  kind: "job" | "pull";
  /** the job's id; for a PR `owner/name#number` */
  jobId: string;
  repo: string;
  stack: string;
  environment: string;
  status: string;
  why: string;
  reason: string;
  since: string;
  waitedSeconds: number;
  whoMayUnblock: string;
  prNumber?: number;
  prUrl?: string;
  sha: string;
  gates: string[];
}

export interface Filters {
  repo?: string;
  env?: string;
  stack?: string;
}

function visibleJob(person: Person, job: StackJob): boolean {
  return person.repos.has(repoName(job));
}

export function describeApprovers(a: Approvers | undefined): string {
  if (!a) return "people with write permission on the repository";
  const who = [...(a.fromTeams ?? []).map((t) => `team ${t}`), ...(a.fromUsers ?? []).map((u) => `@${u}`)];
  const from = who.length ? `from ${who.join(", ")}` : `with ${a.minPermission ?? "write"} permission`;
  return `${a.minRequired} ${a.minRequired === 1 ? "person" : "people"} ${from}${a.allowAuthor ? "" : " (not the author)"}`;
}

/** Who may open a gate, as `mayOpenGate` decides it. */
export function describeOpeners(gate: Gate | undefined): string {
  if (!gate) return "the gate's openers";
  const openers = [
    ...(gate.openers?.users ?? []).map((u) => `@${u}`),
    ...(gate.openers?.teams ?? []).map((t) => `team ${t}`),
  ];
  if (openers.length) return openers.join(", ");
  return gate.name.startsWith("org:") ? "organization owners" : "people with maintain or admin permission";
}

export async function waitingItems(
  rt: Runtime,
  person: Person,
  filters: Filters = {},
): Promise<WaitingItem[]> {
  const jobs = (await rt.jobs.getMany(await rt.jobs.openJobIds())).filter(
    (j): j is StackJob => j !== undefined && visibleJob(person, j),
  );
  const now = rt.clock.now().getTime();
  const out: WaitingItem[] = [];
  const gatesOf = new Map<string, Map<string, Gate>>();
  const openersOf = async (job: StackJob): Promise<string> => {
    const key = repoName(job);
    let gates = gatesOf.get(key);
    const repo = person.repos.get(key);
    if (!gates && repo) {
      const config = await rt.config.read((ref) => rt.github(ref), repo, {
        ref: repo.defaultBranch,
        now: rt.clock.now(),
      });
      gates = config.gates;
      gatesOf.set(key, gates);
    }
    return job.gates.map((g) => `${g}: ${describeOpeners(gates?.get(g))}`).join("; ");
  };
  for (const job of jobs) {
    const gated = job.status === "queued" && job.gates.length > 0 && /gate/i.test(job.reason);
    const why = WAITING[job.status] ?? (gated ? `held by gate ${job.gates.join(", ")}` : undefined);
    if (!why) continue;
    const repo = `${job.owner}/${job.repo}`;
    if (filters.repo && repo.toLowerCase() !== filters.repo.toLowerCase()) continue;
    if (filters.env && job.environment !== filters.env) continue;
    if (filters.stack && job.stack !== filters.stack) continue;
    const since = [...job.history].reverse().find((h) => h.status === job.status)?.at ?? job.updatedAt;
    const rule = gated ? undefined : (await storedJobRule(rt, job.id))?.rule;
    out.push({
      kind: "job",
      jobId: job.id,
      repo,
      stack: job.stack,
      environment: job.environment,
      status: job.status,
      why,
      reason: job.reason,
      since,
      waitedSeconds: Math.max(0, Math.round((now - Date.parse(since)) / 1000)),
      whoMayUnblock: gated ? await openersOf(job) : describeApprovers(rule?.approvers),
      ...(job.prNumber
        ? { prNumber: job.prNumber, prUrl: `${person.webUrl}/${repo}/pull/${job.prNumber}` }
        : {}),
      sha: job.sha,
      gates: job.gates,
    });
  }
  if (!filters.env && !filters.stack) out.push(...(await heldPulls(rt, person, filters.repo, now)));
  return out.sort((a, b) => b.waitedSeconds - a.waitedSeconds);
}

/** Open PRs whose `flowgate` check, at their head, does not pass: held for approvals, plans or a gate. */
async function heldPulls(
  rt: Runtime,
  person: Person,
  onlyRepo: string | undefined,
  now: number,
): Promise<WaitingItem[]> {
  const out: WaitingItem[] = [];
  for (const repo of person.repos.values()) {
    const name = `${repo.owner}/${repo.repo}`;
    if (onlyRepo && name.toLowerCase() !== onlyRepo.toLowerCase()) continue;
    for (const n of await rt.pulls.openPullNumbers(repo.repoId)) {
      const record = await rt.pulls.get(repo.repoId, Number(n));
      const decision = record?.lastDecision;
      if (record?.facts.state !== "open" || !decision || decision.headSha !== record.facts.headSha) continue;
      if (decision.conclusion === "success") continue;
      const since = record.headPushedAt;
      out.push({
        kind: "pull",
        jobId: `${name}#${record.facts.number}`,
        repo: name,
        stack: `PR #${record.facts.number}`,
        environment: "",
        status: decision.conclusion === "failure" ? "blocked" : "waiting",
        why: decision.title,
        reason: `the flowgate check of ${record.facts.headSha.slice(0, 7)} is ${decision.conclusion}; the PR's sticky comment says what each stack needs`,
        since,
        waitedSeconds: Math.max(0, Math.round((now - Date.parse(since)) / 1000)),
        whoMayUnblock: "the approvers its stacks' policies name (see the PR)",
        prNumber: record.facts.number,
        prUrl: `${person.webUrl}/${name}/pull/${record.facts.number}`,
        sha: record.facts.headSha,
        gates: [],
      });
    }
  }
  return out;
}

export interface GateRow {
  repo: string;
  gate: string;
  open: boolean;
  source: string;
  reason: string;
  setBy?: string;
  until?: string;
  nextChangeAt?: string;
  openers: string;
}

export async function gateRows(rt: Runtime, person: Person): Promise<GateRow[]> {
  const now = rt.clock.now();
  const rows: GateRow[] = [];
  for (const repo of [...person.repos.values()].sort((a, b) => repoName(a).localeCompare(repoName(b)))) {
    const config = await rt.config.read((ref) => rt.github(ref), repo, { ref: repo.defaultBranch, now });
    for (const gate of config.gates.values()) {
      const toggle = await rt.gates.toggle(gate.name, repo.owner, repo.repoId);
      const d = evaluateGate(gate, toggle, now);
      rows.push({
        repo: `${repo.owner}/${repo.repo}`,
        gate: gate.name,
        open: d.open,
        source: d.source,
        reason: d.reason,
        ...(d.source === "manual" && toggle ? { setBy: toggle.by } : {}),
        ...(d.source === "manual" && toggle?.until ? { until: toggle.until.toISOString() } : {}),
        ...(d.nextChangeAt ? { nextChangeAt: d.nextChangeAt.toISOString() } : {}),
        openers: describeOpeners(gate),
      });
    }
  }
  return rows;
}

export type { RepoInfo };
