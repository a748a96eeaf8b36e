/**
 * A workflow whose init, plan or apply failed still uploads a result.json (outcome "failure" and
 * the error, written by the flowgate-summarize action): the check says what went wrong, not only
 * that the run failed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runSummarizePlan } from "../../../src/cli/summarize-plan.js";
import type { DispatchRecord } from "../../support/fake-github/index.js";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import { latestCheck, openPull, stackDoc, waitForAggregate } from "./support.js";

const TERRAFORM_ERROR = `terraform plan failed:
\u001b[31m╷\u001b[0m
\u001b[31m│\u001b[0m \u001b[1m\u001b[31mError: \u001b[0mInvalid provider configuration: no valid credential sources found
\u001b[31m╵\u001b[0m
`;

/** The result.json the example workflow's result job writes from the failed plan's error output. */
async function failureResultFor(dispatch: DispatchRecord, errorOutput: string): Promise<object> {
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
    expect(code).toBe(1);
    return JSON.parse(readFileSync(join(dir, "result.json"), "utf8")) as object;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("a failed run's result.json (SPEC §5)", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it("the plan check shows the error the workflow reported, beside the link to the run", async () => {
    const repo = seedRepo(h.gh, {
      ".github/flowgate/stacks.yml": stackDoc("api", "staging", "infra/api"),
      "infra/api/main.tf": "# api\n",
    });
    h.gh.setPermission(repo.fullName, "alice", "write");
    const { head } = await openPull(h, repo, "change", { "infra/api/main.tf": "# api changed\n" });
    const dispatch = await h.waitFor(() => h.gh.dispatches(repo.fullName)[0], "the plan dispatch");
    const result = await failureResultFor(dispatch, TERRAFORM_ERROR);

    await h.gh.completeRun(repo.fullName, dispatch.runId, { conclusion: "failure", result });

    const check = await h.waitFor(() => {
      const c = latestCheck(h, repo, head, "flowgate/plan: api");
      return c?.conclusion === "failure" ? c : undefined;
    }, "the plan check to fail");
    expect(check.output.title).toBe("Plan failed");
    const summary = check.output.summary ?? "";
    expect(summary).toContain(`actions/runs/${dispatch.runId}`);
    expect(summary).toContain("Error: Invalid provider configuration: no valid credential sources found");
    expect(summary).not.toContain("\u001b");
    const aggregate = await waitForAggregate(h, repo, head, "failure");
    expect(aggregate.output.summary).toMatch(/api: plan failed/);
  });
});
