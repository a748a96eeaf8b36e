import { StackMatcher } from "../../engine/affected.js";
import type { StackJob } from "../../engine/stack-job/types.js";
import type { Runtime } from "../../runtime/runtime.js";

/**
 * `onFailure: revert` and `/revert` (issue 13): one pull request that puts the failed stack's files back as they were
 * before the merge, so the way back is gated like any change. Where a file changed again since the merge,
 * it names the files and opens nothing: a person decides.
 */
export async function openRevertPull(
  rt: Runtime,
  job: StackJob,
  why: string,
): Promise<{ pull?: number; message: string }> {
  const repo = { installationId: job.installationId, owner: job.owner, repo: job.repo };
  const port = rt.github(repo);
  const now = rt.clock.now();
  const parent = (await port.getCommit(job.sha)).parents[0];
  if (!parent) return { message: "the merge commit has no parent: nothing to revert to" };
  const changed = await port.compareFiles(parent, job.sha);
  const config = await rt.config.read((ref) => rt.github(ref), repo, { ref: job.sha, now });
  const paths = changed.files.flatMap((f) =>
    f.previousFilename ? [f.filename, f.previousFilename] : [f.filename],
  );
  const files = new StackMatcher(config.stacks).affected(paths).stacks.get(job.stack) ?? [];
  if (files.length === 0) return { message: `the merge changed no file of ${job.stack}: nothing to revert` };
  const base = job.dispatchRef ?? "main";
  const head = await port.branchHead(base);
  if (head.status !== "ok") return { message: `cannot read the head of ${base}` };
  const changes: Record<string, string | null> = {};
  const movedOn: string[] = [];
  for (const path of files) {
    const [before, atMerge, current] = await Promise.all([
      port.fileAt(path, parent),
      port.fileAt(path, job.sha),
      port.fileAt(path, head.value),
    ]);
    if (current !== atMerge) movedOn.push(path);
    changes[path] = before ?? null;
  }
  if (movedOn.length)
    return {
      message: `no revert PR: ${movedOn.map((p) => `\`${p}\``).join(", ")} changed again since the merge; revert by hand`,
    };
  const short = job.sha.slice(0, 7);
  const commit = await port.commitFiles(
    head.value,
    `Revert ${job.stack} to before ${short}\n\n${why}`,
    changes,
  );
  const branch = `flowgate/revert-${job.stack}-${short}`;
  await port.createBranch(branch, commit);
  const pull = await port.createPull({
    title: `Revert ${job.stack} to before ${short}`,
    head: branch,
    base,
    body: [
      `Why: ${why}.`,
      "",
      `This puts ${files.length} file(s) back as they were before that merge (\`onFailure: revert\`). It is gated like any change: plan, approvals, gates.`,
      "",
      ...files.map((p) => `- \`${p}\``),
    ].join("\n"),
  });
  await rt.audit.record({
    type: "verification",
    repo: `${job.owner}/${job.repo}`,
    stack: job.stack,
    jobId: job.id,
    policy: job.policy.name,
    decision: "revert-opened",
    reason: `#${pull}`,
  });
  return { pull, message: `revert PR #${pull} opened` };
}
