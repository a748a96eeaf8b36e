/**
 * A workflow whose init, plan or apply failed still uploads a result.json (outcome "failure" and
 * the error, written by the flowgate-summarize action): the check says what went wrong, not only
 * that the run failed.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { failureResultFor } from "../../support/failure-result.js";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import { latestCheck, openPull, stackDoc, waitForAggregate } from "./support.js";

const TERRAFORM_ERROR = `terraform plan failed:
\u001b[31m╷\u001b[0m
\u001b[31m│\u001b[0m \u001b[1m\u001b[31mError: \u001b[0mInvalid provider configuration: no valid credential sources found
\u001b[31m╵\u001b[0m
`;

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
