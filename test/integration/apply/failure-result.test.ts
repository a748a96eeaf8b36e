/**
 * An apply that fails after the merge: the example workflow uploads a failure result with the
 * apply's error (written by the flowgate-summarize action), and the apply check shows it.
 */
import { afterEach, beforeEach, expect, it } from "vitest";
import { failureResultFor } from "../../support/failure-result.js";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import {
  concluded,
  configFiles,
  mergePull,
  openPull,
  REPO,
  waitForApplyCheck,
  waitForDispatch,
} from "./support.js";

/** Apply at once: no plan, no pause. */
const DIRECT = `apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: direct }
spec:
  selector: { kind: environment, id: production }
  flowControl:
    previewBeforeUpdateOrDestroy: false
    pauseBetweenPreviewAndUpdateOrDestroy: false
`;

const APPLY_ERROR = `terraform apply failed:
\u001b[31m╷\u001b[0m
\u001b[31m│\u001b[0m \u001b[1m\u001b[31mError: \u001b[0mcreating S3 Bucket (logs): BucketAlreadyExists
\u001b[31m╵\u001b[0m
`;

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  seedRepo(h.gh, configFiles([{ name: "storage", environment: "production" }], DIRECT));
  h.gh.setPermission(REPO, "alice", "write");
});
afterEach(async () => {
  await h.stop();
});

it("a failed apply's check says what went wrong, from the run's failure result", async () => {
  const pull = await openPull(h, ["storage"]);
  const sha = await mergePull(h, pull.number);
  const apply = await waitForDispatch(h, { stack: "storage", operation: "apply", sha });
  const result = await failureResultFor(apply, APPLY_ERROR);
  await h.gh.completeRun(REPO, apply.runId, { conclusion: "failure", result });

  const failed = await waitForApplyCheck(h, sha, "storage", concluded("failure"), "failure");
  const summary = failed.output.summary ?? "";
  expect(summary).toContain("the apply run failed");
  expect(summary).toContain("Error: creating S3 Bucket (logs): BucketAlreadyExists");
  expect(summary).not.toContain("\u001b");
});
