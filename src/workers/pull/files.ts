import type { GitHubPort, PullFiles } from "../../github/port.js";
import type { Runtime } from "../../runtime/runtime.js";
import type { PullRecord } from "../../state/pulls.js";

export interface ChangedFiles {
  /** every path the PR touches, renamed files under both names */
  paths: string[];
  /** paths the PR adds (for stack generators over the PR head) */
  added: string[];
  complete: boolean;
  listed: number;
  changed: number;
}

function toChanged(files: PullFiles): ChangedFiles {
  const paths = new Set<string>();
  const added: string[] = [];
  for (const f of files.files) {
    paths.add(f.filename);
    if (f.previousFilename) paths.add(f.previousFilename);
    if (f.status === "added" || f.status === "renamed" || f.status === "copied") added.push(f.filename);
  }
  return {
    paths: [...paths],
    added,
    complete: files.complete,
    listed: files.files.length,
    changed: files.changedFiles,
  };
}

/**
 * The PR's changed files, listed once per (base branch, head) pair (paginated; the 3,000-file limit is
 * explicit). The list is the diff against the base, so a PR moved to another base is listed again:
 * a change already in an unguarded branch must not pass when the PR is retargeted at a guarded one.
 */
export async function changedFiles(rt: Runtime, port: GitHubPort, record: PullRecord): Promise<ChangedFiles> {
  const { repoId } = record.repo;
  const { number, headSha, baseRef, changedFiles: changed } = record.facts;
  const cached = await rt.pulls.cachedFiles(repoId, number, baseRef, headSha);
  if (cached) return JSON.parse(cached) as ChangedFiles;
  const listed = toChanged(await port.listPullFiles(number, changed));
  // Not awaited: the write goes out with the evaluation's next reads (issue 11); losing it only costs
  // listing the files again.
  rt.pulls
    .cacheFiles(repoId, number, baseRef, headSha, JSON.stringify(listed))
    .catch((error: unknown) => rt.log.warn({ err: error }, "could not keep the PR's file list"));
  return listed;
}
