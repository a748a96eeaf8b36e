/** A merge commit's apply jobs, as the pipeline view and `/api/v1/pipelines` show them. */

import { repoIdOf } from "../engine/stack-job/ids.js";
import type { StackJob } from "../engine/stack-job/types.js";
import type { Runtime } from "../runtime/runtime.js";
import { type Person, repoName } from "./identity.js";

export interface PipelineNode {
  jobId: string;
  stack: string;
  environment: string;
  status: string;
  reason: string;
  dependsOn: string[];
  createdAt: string;
  updatedAt: string;
  runs: { operation: string; status: string; url?: string; conclusion?: string }[];
  plan?: { add: number; change: number; destroy: number };
}

/** The apply jobs of one merge commit, with their dependsOn edges (ids inside the pipeline only). */
export async function pipeline(
  rt: Runtime,
  person: Person,
  repoFullName: string,
  sha: string,
): Promise<PipelineNode[] | undefined> {
  const repo = person.repos.get(repoFullName.toLowerCase());
  if (!repo) return undefined;
  const ids = await rt.applies.commitJobs(repo.repoId, sha);
  const jobs = (await rt.jobs.getMany(ids.sort())).filter((j): j is StackJob => j !== undefined);
  return jobs.map((j) => ({
    jobId: j.id,
    stack: j.stack,
    environment: j.environment,
    status: j.status,
    reason: j.reason,
    dependsOn: j.dependsOn,
    createdAt: j.createdAt,
    updatedAt: j.updatedAt,
    runs: j.runs.map((r) => ({
      operation: r.operation,
      status: r.status,
      ...(r.htmlUrl ? { url: r.htmlUrl } : {}),
      ...(r.conclusion ? { conclusion: r.conclusion } : {}),
    })),
    ...(j.plan
      ? { plan: { add: j.plan.summary.add, change: j.plan.summary.change, destroy: j.plan.summary.destroy } }
      : {}),
  }));
}

/** Recent merge commits with apply jobs, per visible repository: where the pipeline view starts. */
export async function recentPipelines(
  rt: Runtime,
  person: Person,
): Promise<{ repo: string; sha: string; at: string; jobs: number }[]> {
  const open = (await rt.jobs.getMany(await rt.jobs.openJobIds(2000))).filter(
    (j): j is StackJob => j !== undefined && j.kind === "apply" && person.repos.has(repoName(j)),
  );
  const seen = new Map<string, { repo: string; sha: string; at: string; jobs: number }>();
  for (const j of open) {
    const key = `${repoIdOf(j)}:${j.sha}`;
    const entry = seen.get(key) ?? { repo: `${j.owner}/${j.repo}`, sha: j.sha, at: j.createdAt, jobs: 0 };
    entry.jobs++;
    seen.set(key, entry);
  }
  return [...seen.values()].sort((a, b) => b.at.localeCompare(a.at));
}
