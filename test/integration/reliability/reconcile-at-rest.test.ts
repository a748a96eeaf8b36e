import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { keys } from "../../../src/state/keys.js";
import { reconcileInstallation } from "../../../src/workers/reconcile/reconcile.js";
import type { RepoState } from "../../support/fake-github/index.js";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import { pullRequestEvent, pushEvent } from "../../support/webhooks.js";
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
      /** requests about one repository */
      about: (repo: RepoState) => requests.filter((r) => r.path.startsWith(`/repos/${repo.fullName}/`)),
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
    seedRepo(h.gh, {}, "website");
    const pull = openPullWithoutWebhook(configured, "change", { "infra/dev/app/main.tf": "#\n" });
    const first = await pass();
    expect(first.report.pullsReevaluated).toBe(1);
    await flowgateCheck(configured, pull.head.sha);

    const idle = await pass();
    expect(idle.report).toMatchObject({ pullsReevaluated: 0, commitsRecovered: 0, reposAtRest: 1 });
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

  it("a repository without configuration rests until a push brings some, then its PRs are reconciled", async () => {
    const repo = seedRepo(h.gh, {}, "service");
    expect((await pass()).report.reposAtRest).toBe(0);

    const pull = openPullWithoutWebhook(repo, "change", { "infra/dev/app/main.tf": "#\n" });
    const resting = await pass();
    expect(resting.report).toMatchObject({ reposAtRest: 1, pullsReevaluated: 0 });
    expect(resting.about(repo)).toEqual([]);

    const before = h.gh.repo(repo.fullName).branches.get("main")!;
    const after = h.gh.commit(repo.fullName, "main", { ".github/flowgate/stacks.yml": CONFIG });
    await h.gh.sendWebhook("push", pushEvent(h.gh, repo, { before, after }));
    const awake = await pass();
    expect(awake.report).toMatchObject({ reposAtRest: 0, pullsReevaluated: 1 });
    await flowgateCheck(repo, pull.head.sha);
    expect((await pass()).report.reposAtRest).toBe(0);
  });

  it("a push to a resting repository whose webhook was missed is repaired when the rest ends", async () => {
    const repo = seedRepo(h.gh, { "infra/dev/app/main.tf": "#\n" }, "service");
    await pass();
    const before = h.gh.repo(repo.fullName).branches.get("main")!;
    const after = h.gh.commit(repo.fullName, "main", {
      ".github/flowgate/stacks.yml": CONFIG,
      "infra/dev/app/main.tf": "# bigger\n",
    });
    expect((await pass()).report).toMatchObject({ reposAtRest: 1, commitsRecovered: 0 });

    // The rest is bounded (AT_REST_SECONDS); here it ends at once.
    await h.app.runtime.redis.del(keys.repoAtRest(repo.id));
    const awake = await pass();
    expect(awake.report).toMatchObject({ reposAtRest: 0, commitsRecovered: 1 });
    await h.waitFor(
      () => h.gh.checkRuns(repo.fullName, { headSha: after, name: "flowgate/apply: app-dev" })[0],
      "the apply job of the missed push",
    );
    expect(before).not.toBe(after);
  });

  it("configuration in the organization's .github repository keeps every repository awake", async () => {
    const org = seedRepo(h.gh, { ".github/flowgate/policies.yml": "" }, ".github");
    const repo = seedRepo(h.gh, {}, "service");
    await pass();
    const second = await pass();
    expect(second.report.reposAtRest).toBe(0);

    // Without it, both rest; a push that brings it back wakes the organization's repositories.
    const before = h.gh.repo(org.fullName).branches.get("main")!;
    const removed = h.gh.commit(org.fullName, "main", { ".github/flowgate/policies.yml": null });
    await h.gh.sendWebhook("push", pushEvent(h.gh, org, { before, after: removed }));
    await pass();
    expect((await pass()).report.reposAtRest).toBe(2);
    const pull = openPullWithoutWebhook(repo, "change", { "docs/readme.md": "#\n" });
    const restored = h.gh.commit(org.fullName, "main", { ".github/flowgate/policies.yml": "" });
    await h.gh.sendWebhook("push", pushEvent(h.gh, org, { before: removed, after: restored }));
    const awake = await pass();
    expect(awake.report).toMatchObject({ reposAtRest: 0, pullsReevaluated: 1 });
    await flowgateCheck(repo, pull.head.sha);
  });
});

describe("a pull_request webhook still works for a resting repository", () => {
  it("is evaluated at once: only reconciliation rests", async () => {
    const h = await startHarness();
    try {
      const repo = seedRepo(h.gh, {}, "service");
      await reconcileInstallation(h.app.runtime, 1);
      const head = h.gh.commit(repo.fullName, "change", { "docs/a.md": "#\n" });
      const pull = h.gh.openPull({ repo: repo.fullName, head: { ref: "change", sha: head }, user: "alice" });
      await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "opened", pull));
      const check = await h.waitFor(
        () => h.gh.checkRuns(repo.fullName, { headSha: head, name: "flowgate" })[0],
        "the flowgate check",
      );
      expect(check.output.title).toBe("No stacks affected");
    } finally {
      await h.stop();
    }
  });
});
