/**
 * The result.json the example workflows' result job writes for a failed run: `summarize-plan` with
 * `--error` (what the flowgate-summarize action runs) on the failed command's error output.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSummarizePlan } from "../../src/cli/summarize-plan.js";
import type { DispatchRecord } from "./fake-github/index.js";

export async function failureResultFor(dispatch: DispatchRecord, errorOutput: string): Promise<object> {
  const dir = mkdtempSync(join(tmpdir(), "flowgate-failed-run-"));
  try {
    writeFileSync(join(dir, "error.txt"), errorOutput);
    const env = {
      FLOWGATE_JOB_ID: dispatch.inputs.job_id,
      FLOWGATE_STACK: dispatch.inputs.stack,
      FLOWGATE_OPERATION: dispatch.inputs.operation,
      FLOWGATE_SHA: dispatch.inputs.sha,
    };
    const io = { stdout: () => {}, stderr: () => {}, cwd: dir, env };
    const code = await runSummarizePlan(["plan.json", "--error", "error.txt", "--out", "result.json"], io);
    if (code !== 1) throw new Error(`summarize-plan --error exited ${code}, not 1`);
    return JSON.parse(readFileSync(join(dir, "result.json"), "utf8")) as object;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
