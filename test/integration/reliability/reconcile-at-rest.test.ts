import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { reconcileInstallation } from "../../../src/workers/reconcile/reconcile.js";
import type { RepoState } from "../../support/fake-github/index.js";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import { quiet } from "../pull-flow/support.js";

const CONFIG = `apiVersion: flowgate/v1
kind: Stack
metadata: { name: app-dev }
spec: { kind: aws_s3, environment: development, dir: infra/dev/app }
---
apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: dev-no-plan }
spec:
  selector: { kind: environment, id: development }
  flowControl: { previewBeforeUpdateOrDestroy: false }
`;

/** Issue #11: an installation at rest costs nothing, and what a webhook missed is still repaired. */
describe("reconciliation of an installation at rest", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  /**
   * One pass once flowgate is quiet, with the workers paused so that the requests counted are the
   * pass's own (the evaluations it asks for run after it); `charged` are those that were not 304s.
   */
  async function pass() {
    await quiet(h);
    for (const worker of h.app.workers) await worker.pause();
    const since = h.gh.requests.length;
    const report = await reconcileInstallation(h.app.runtime, 1).finally(() => {
      for (const worker of h.app.workers) worker.resume();
    });
    const requests = h.gh.requests.slice(since);
    return {
      report,
      requests,
      charged: requests.filter((r) => r.charged),
    };
  }

  function openPullWithoutWebhook(repo: RepoState, branch: string, files: Record<string, string>) {
    const head = h.gh.commit(repo.fullName, branch, files);
    return h.gh.openPull({ repo: repo.fullName, head: { ref: branch, sha: head }, user: "alice" });
  }

  const flowgateCheck = (repo: RepoState, sha: string) =>
    h.waitFor(
      () => h.gh.checkRuns(repo.fullName, { headSha: sha, name: "flowgate" })[0],
      "the flowgate check",
    );

  it("a pass over an unchanged installation makes no charged request", async () => {
    const configured = seedRepo(h.gh, { ".github/flowgate/stacks.yml": CONFIG }, "infra");
    const pull = openPullWithoutWebhook(configured, "change", { "infra/dev/app/main.tf": "#\n" });
    const first = await pass();
    expect(first.report.pullsReevaluated).toBe(1);
    await flowgateCheck(configured, pull.head.sha);

    const idle = await pass();
    expect(idle.report).toMatchObject({ pullsReevaluated: 0, commitsRecovered: 0 });
    expect(idle.charged.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([]);
    // Asked conditionally: the repository list, and the configured repository's open PRs and branch.
    expect(idle.requests.map((r) => r.status)).toEqual([304, 304, 304]);
  });

  it("a missed pull_request event is still repaired on the next pass, for one charged request", async () => {
    const repo = seedRepo(h.gh, { ".github/flowgate/stacks.yml": CONFIG }, "infra");
    await pass();
    await pass();

    const opened = openPullWithoutWebhook(repo, "opened", { "infra/dev/app/main.tf": "# opened\n" });
    const afterOpened = await pass();
    expect(afterOpened.report.pullsReevaluated).toBe(1);
    expect(afterOpened.charged.map((r) => r.path)).toEqual([`/repos/${repo.fullName}/pulls`]);
    await flowgateCheck(repo, opened.head.sha);

    // A push to the PR whose `synchronize` never arrived.
    const pushed = h.gh.pushToPull(repo.fullName, opened.number, { "infra/dev/app/main.tf": "# pushed\n" });
    const afterPush = await pass();
    expect(afterPush.report.pullsReevaluated).toBe(1);
    await flowgateCheck(repo, pushed.after);
  });
});
