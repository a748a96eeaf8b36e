/**
 * Issue 13: verification after an apply. A stack whose policy declares checks counts as applied only
 * once they pass; a failed check stops its dependents, saying why; a host outside the operator's
 * allow-list is never requested.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CheckRunState } from "../../support/fake-github/state.js";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import {
  applyCheck,
  comment,
  completeRun,
  concluded,
  configFiles,
  dispatchesOf,
  mergePull,
  openPull,
  REPO,
  settle,
  sticky,
  waitForApplyCheck,
  waitForDispatch,
  waitForReply,
} from "./support.js";

const DIRECT = `apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: direct }
spec:
  selector: { kind: environment, id: production }
  flowControl:
    previewBeforeUpdateOrDestroy: false
    pauseBetweenPreviewAndUpdateOrDestroy: false
`;

const verifyDb = (url: string) => `apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: db-health }
spec:
  selector: { kind: aws_rds, id: db }
  flowControl:
    verify:
      - name: db health
        http:
          url: "${url}"
          expectStatus: 200
          condition: "body.status == 'ok'"
          interval: 1s
`;

const STACKS = [
  { name: "db", environment: "production", kind: "aws_rds" },
  { name: "app", environment: "production", dependsOn: ["db"] },
];

/** The service the check probes: answers what the test says, and remembers every request. */
let health: { status: number; body: string };
let requests: string[] = [];
let server: Server;
let base = "";
const previous = process.env.FLOWGATE_VERIFY_ALLOWED_HOSTS;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? "");
    res.writeHead(health.status, { "content-type": "application/json" });
    res.end(health.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.FLOWGATE_VERIFY_ALLOWED_HOSTS = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  if (previous === undefined) delete process.env.FLOWGATE_VERIFY_ALLOWED_HOSTS;
  else process.env.FLOWGATE_VERIFY_ALLOWED_HOSTS = previous;
  await new Promise((resolve) => server.close(resolve));
});

const verifyCheck = (h: Harness, sha: string): CheckRunState | undefined =>
  h.gh.checkRuns(REPO, { headSha: sha, name: "flowgate/verify: db" }).at(-1);

describe("verification after an apply", () => {
  let h: Harness;
  beforeEach(() => {
    requests = [];
  });
  afterEach(async () => {
    await h.stop();
  });

  async function applyDb(url: string): Promise<{ sha: string; pull: Awaited<ReturnType<typeof openPull>> }> {
    h = await startHarness();
    seedRepo(h.gh, configFiles(STACKS, DIRECT, verifyDb(url)));
    h.gh.setPermission(REPO, "alice", "write");
    const pull = await openPull(h, ["db", "app"]);
    const sha = await mergePull(h, pull.number);
    const apply = await waitForDispatch(h, { stack: "db", operation: "apply", sha });
    await completeRun(h, apply);
    await waitForApplyCheck(h, sha, "db", concluded("success"), "success");
    return { sha, pull };
  }

  it("a failing HTTP check stops the dependents, and every check says why", async () => {
    health = { status: 503, body: '{"status":"down"}' };
    const { sha, pull } = await applyDb(`${base}/healthz`);
    const failed = await h.waitFor(
      () => (verifyCheck(h, sha)?.conclusion === "failure" ? verifyCheck(h, sha) : undefined),
      "the verify check to fail",
    );
    expect(failed.output.title).toBe("Verification failed");
    expect(failed.output.summary).toContain("db health");
    expect(failed.output.summary).toMatch(/503/);
    expect(failed.output.summary).toContain("do not start");
    const app = await waitForApplyCheck(h, sha, "app", concluded("cancelled"), "cancelled");
    expect(app.output.summary).toContain("db applied but failed its verification");
    await settle(300);
    expect(dispatchesOf(h, { sha }).map((d) => d.inputs.stack)).toEqual(["db"]);
    expect(requests).toEqual(["/healthz"]);
    await h.waitFor(() => sticky(h, pull)?.body.includes("verification failed"), "the sticky comment");
  });

  it("a passing check lets the dependent start; until then it waits for the verification", async () => {
    health = { status: 200, body: '{"status":"ok"}' };
    const { sha } = await applyDb(`${base}/healthz`);
    const passed = await h.waitFor(
      () => (verifyCheck(h, sha)?.conclusion === "success" ? verifyCheck(h, sha) : undefined),
      "the verify check to pass",
    );
    expect(passed.output.title).toBe("Verified");
    const app = await waitForDispatch(h, { stack: "app", operation: "apply", sha });
    expect(app.inputs.stack).toBe("app");
    expect(requests.length).toBeGreaterThanOrEqual(1);
    expect(applyCheck(h, sha, "db")?.conclusion).toBe("success");
  });

  it("refuses a URL outside the allowed hosts and never requests it", async () => {
    health = { status: 200, body: '{"status":"ok"}' };
    // the same server under another name: not in FLOWGATE_VERIFY_ALLOWED_HOSTS
    const { sha } = await applyDb(base.replace("127.0.0.1", "localhost"));
    const failed = await h.waitFor(
      () => (verifyCheck(h, sha)?.conclusion === "failure" ? verifyCheck(h, sha) : undefined),
      "the verify check to fail",
    );
    expect(failed.output.summary).toContain(
      "is not in FLOWGATE\\_VERIFY\\_ALLOWED\\_HOSTS; an operator must allow it",
    );
    await waitForApplyCheck(h, sha, "app", concluded("cancelled"), "cancelled");
    expect(requests).toEqual([]);
  });
});

const verifyDbOrRevert = (url: string) => `${verifyDb(url).trimEnd()}
    onFailure: revert
`;

/** Pull requests the app opened, with the files at their head. */
function revertPulls(h: Harness) {
  const repo = h.gh.repo(REPO);
  return [...repo.issues.values()].flatMap((issue) =>
    issue.pull?.head.ref.startsWith("flowgate/revert-")
      ? [{ pull: issue.pull, files: repo.commits.get(issue.pull.head.sha)!.files }]
      : [],
  );
}

describe("onFailure: revert", () => {
  let h: Harness;
  afterEach(async () => {
    await h.stop();
  });

  async function mergeDbChange(): Promise<string> {
    h = await startHarness();
    seedRepo(h.gh, configFiles(STACKS, DIRECT, verifyDbOrRevert(`${base}/healthz`)));
    h.gh.setPermission(REPO, "alice", "write");
    const pull = await openPull(h, ["db"]);
    return mergePull(h, pull.number);
  }

  it("opens exactly one PR that puts the stack's files back as they were before the merge", async () => {
    health = { status: 500, body: "{}" };
    const sha = await mergeDbChange();
    await completeRun(h, await waitForDispatch(h, { stack: "db", operation: "apply", sha }));
    await h.waitFor(() => verifyCheck(h, sha)?.conclusion === "failure", "the verify check to fail");
    const [revert, ...more] = await h.waitFor(
      () => (revertPulls(h).length ? revertPulls(h) : undefined),
      "the revert PR",
    );
    await settle(500);
    expect(more).toEqual([]);
    expect(revertPulls(h)).toHaveLength(1);
    expect(revert!.pull.issue.title).toBe(`Revert db to before ${sha.slice(0, 7)}`);
    expect(revert!.pull.base.ref).toBe("main");
    // the merge changed infra/db/main.tf; the revert has it as before the merge, and leaves app alone
    const parent = h.gh.repo(REPO).commits.get(sha)!.parents[0]!;
    const before = h.gh.repo(REPO).commits.get(parent)!.files;
    expect(revert!.files.get("infra/db/main.tf")).toBe(before.get("infra/db/main.tf"));
    expect(revert!.files.get("infra/db/main.tf")).not.toBe(
      h.gh.repo(REPO).commits.get(sha)!.files.get("infra/db/main.tf"),
    );
    expect(revert!.files.get("infra/app/main.tf")).toBe(
      h.gh.repo(REPO).commits.get(sha)!.files.get("infra/app/main.tf"),
    );
    await h.waitFor(
      // the summary escapes markdown: `#` shows as `\#`
      () => verifyCheck(h, sha)?.output.summary?.includes(`revert PR \\#${revert!.pull.number} opened`),
      "the verify check to name the revert PR",
    );
  });

  it("opens nothing when the stack's files changed again since the merge, and names them", async () => {
    health = { status: 200, body: '{"status":"ok"}' };
    const sha = await mergeDbChange();
    // a later commit on main touches the same file before the verification fails
    h.gh.commit(REPO, "main", { "infra/db/main.tf": "# db, changed again\n" });
    health = { status: 500, body: "{}" };
    await completeRun(h, await waitForDispatch(h, { stack: "db", operation: "apply", sha }));
    const failed = await h.waitFor(
      () =>
        verifyCheck(h, sha)?.output.summary?.includes("changed again since the merge")
          ? verifyCheck(h, sha)
          : undefined,
      "the verify check to refuse the revert",
    );
    expect(failed.output.summary).toContain("infra/db/main.tf");
    expect(revertPulls(h)).toEqual([]);
  });

  it("/revert on the merged PR opens the same PR on demand, by an eligible approver, once", async () => {
    health = { status: 200, body: '{"status":"ok"}' };
    h = await startHarness();
    seedRepo(h.gh, configFiles(STACKS, DIRECT));
    h.gh.setPermission(REPO, "alice", "write");
    h.gh.setPermission(REPO, "bob", "write");
    const pull = await openPull(h, ["db"]);
    const sha = await mergePull(h, pull.number);
    await completeRun(h, await waitForDispatch(h, { stack: "db", operation: "apply", sha }));
    await waitForApplyCheck(h, sha, "db", concluded("success"), "success");
    const first = await comment(h, pull, "bob", "/revert db");
    await waitForReply(h, pull, first, "revert PR");
    expect(revertPulls(h)).toHaveLength(1);
    const again = await comment(h, pull, "bob", "/revert db");
    await waitForReply(h, pull, again, "already opened");
    expect(revertPulls(h)).toHaveLength(1);
  });
});

const VERIFY_WORKFLOW = `name: verify
on:
  workflow_dispatch:
    inputs:
      job_id: { required: true, type: string }
      stack: { required: true, type: string }
      sha: { required: true, type: string }
      target: { required: false, type: string }
run-name: verify \${{ inputs.job_id }}
jobs:
  verify:
    runs-on: ubuntu-latest
    steps:
      - run: echo "queries Datadog with its own secret, writes result.json"
`;

const verifyDbByWorkflow = `apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: db-by-workflow }
spec:
  selector: { kind: aws_rds, id: db }
  flowControl:
    verify:
      - workflow: { file: verify-db.yml, inputs: { target: production } }
`;

describe("a workflow verification check", () => {
  let h: Harness;
  afterEach(async () => {
    await h.stop();
  });

  async function verifyRun(): Promise<{
    sha: string;
    run: { runId: number; inputs: Record<string, string> };
  }> {
    h = await startHarness();
    seedRepo(h.gh, {
      ...configFiles(STACKS, DIRECT, verifyDbByWorkflow),
      ".github/workflows/verify-db.yml": VERIFY_WORKFLOW,
    });
    h.gh.setPermission(REPO, "alice", "write");
    const pull = await openPull(h, ["db", "app"]);
    const sha = await mergePull(h, pull.number);
    await completeRun(h, await waitForDispatch(h, { stack: "db", operation: "apply", sha }));
    const run = await h.waitFor(
      () => h.gh.dispatches(REPO).find((d) => d.workflow.endsWith("verify-db.yml")),
      "the verification workflow's dispatch",
    );
    return { sha, run };
  }

  it("is dispatched once with the job and the check's inputs; its result.json's failure stops the dependents", async () => {
    const { sha, run } = await verifyRun();
    expect(run.inputs).toMatchObject({ stack: "db", sha, target: "production" });
    await h.gh.completeRun(REPO, run.runId, {
      conclusion: "success",
      result: { version: 1, jobId: run.inputs.job_id, outcome: "failure", text: "error rate 7% over 5m" },
    });
    const failed = await h.waitFor(
      () => (verifyCheck(h, sha)?.conclusion === "failure" ? verifyCheck(h, sha) : undefined),
      "the verify check to fail",
      20_000,
    );
    expect(failed.output.summary).toContain("error rate 7% over 5m");
    const app = await waitForApplyCheck(h, sha, "app", concluded("cancelled"), "cancelled");
    expect(app.output.summary).toContain("db applied but failed its verification");
    expect(h.gh.dispatches(REPO).filter((d) => d.workflow.endsWith("verify-db.yml"))).toHaveLength(1);
  });

  it("a result.json with outcome success lets the dependent start", async () => {
    const { sha, run } = await verifyRun();
    await h.gh.completeRun(REPO, run.runId, {
      conclusion: "success",
      result: { version: 1, jobId: run.inputs.job_id, outcome: "success", text: "error rate 0.1%" },
    });
    await h.waitFor(() => verifyCheck(h, sha)?.conclusion === "success", "the verify check to pass", 20_000);
    await waitForDispatch(h, { stack: "app", operation: "apply", sha });
  });
});
