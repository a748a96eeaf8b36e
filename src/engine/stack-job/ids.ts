import { safeId } from "../../model/ids.js";
import type { StackJob } from "./types.js";

/**
 * Stack job ids: `<repository id>-p<PR>-<stack>-<sha>-<attempt>` for PR plans and
 * `<repository id>-a-<stack>-<sha>` for applies. They are deterministic, so a redelivered event or
 * a second worker names the same job, and they are what the workflow puts in its run-name.
 */
export function planJobId(repoId: number, pr: number, stack: string, sha: string, attempt: number): string {
  return safeId(String(repoId), `p${pr}`, stack, sha.slice(0, 12), String(attempt));
}

export function applyJobId(repoId: number, stack: string, sha: string): string {
  return safeId(String(repoId), "a", stack, sha.slice(0, 12));
}

/** The repository a job belongs to, read back from its id. */
export function repoIdOf(job: Pick<StackJob, "id">): number {
  return Number(job.id.split("-")[0]);
}
