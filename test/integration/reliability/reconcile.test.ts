import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { reconcileInstallation } from "../../../src/workers/reconcile/reconcile.js";
import { type Harness, planResult, seedRepo, startHarness } from "../../support/harness.js";
import { startRedis } from "../../support/redis.js";
import { checkRunRequestedActionEvent, pullRequestEvent, pushEvent } from "../../support/webhooks.js";

const CONFIG = `apiVersion: flowgate/v1
kind: Stack
metadata: { name: app-dev }
spec: { kind: aws_s3, environment: development, dir: infra/dev/app }
---
apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: dev-fast }
spec:
  selector: { kind: environment, id: development }
  flowControl: { previewBeforeUpdateOrDestroy: true, pauseBetweenPreviewAndUpdateOrDestroy: false }
---
apiVersion: flowgate/v1
kind: Gate
metadata: { name: maintenance }
spec: { default: open }
`;

describe("reconciliation repairs what webhooks missed", () => {
  let h: Harness | undefined;
  let ownRedis: { stop(): Promise<void> } | undefined;
  afterEach(async () => {
    await h?.stop();
    await ownRedis?.stop();
    h = undefined;
    ownRedis = undefined;
  });

  it("evaluates a PR whose opened webhook never arrived", async () => {
    h = await startHarness();
    const repo = seedRepo(h.gh, { ".github/flowgate/stacks.yml": CONFIG, "infra/dev/app/main.tf": "#\n" });
    const head = h.gh.commit(repo.fullName, "change", { "infra/dev/app/main.tf": "# changed\n" });
    h.gh.openPull({ repo: repo.fullName, head: { ref: "change", sha: head }, user: "alice" });
    const report = await reconcileInstallation(h.app.runtime, 1);
    expect(report.pullsReevaluated).toBe(1);
    const gh = h.gh;
    await h.waitFor(() => gh.dispatches(repo.fullName).length === 1, "the plan dispatch");
    await h.waitFor(
      () => gh.checkRuns(repo.fullName, { headSha: head, name: "flowgate" })[0],
      "the flowgate check",
    );
    // A second pass finds nothing new to do.
    await h.waitFor(
      async () => (await h!.app.runtime.pulls.get(repo.id, 1))?.lastDecision?.headSha === head,
      "the evaluation",
    );
    const again = await reconcileInstallation(h.app.runtime, 1);
    expect(again.pullsReevaluated).toBe(0);
    expect(gh.dispatches(repo.fullName)).toHaveLength(1);
  });

  it("creates the apply jobs of a merge whose webhooks were lost", async () => {
    h = await startHarness();
    const repo = seedRepo(h.gh, { ".github/flowgate/stacks.yml": CONFIG, "infra/dev/app/main.tf": "#\n" });
    await reconcileInstallation(h.app.runtime, 1); // first sight: remembers the default branch head
    h.gh.setWebhookTarget(null);
    const before = h.gh.repo(repo.fullName).branches.get("main")!;
    const after = h.gh.commit(repo.fullName, "main", { "infra/dev/app/main.tf": "# pushed\n" });
    expect(after).not.toBe(before);
    h.gh.setWebhookTarget(h.webhookUrl);
    const report = await reconcileInstallation(h.app.runtime, 1);
    expect(report.commitsRecovered).toBe(1);
    const gh = h.gh;
    const dispatch = await h.waitFor(
      () => gh.dispatches(repo.fullName).find((d) => d.inputs.sha === after),
      "the apply job's plan dispatch",
    );
    expect(dispatch.inputs.operation).toBe("plan");
    expect(gh.checkRuns(repo.fullName, { headSha: after, name: "flowgate/apply: app-dev" })).toHaveLength(1);
  });

  it("after Redis comes back empty, rebuilds from GitHub without dispatching again, and lost gates count as closed", async () => {
    const redis = await startRedis({ appendonly: true });
    ownRedis = redis;
    h = await startHarness({ redis });
    const repo = seedRepo(h.gh, {
      ".github/flowgate/stacks.yml": CONFIG.replace(
        "spec: { kind: aws_s3, environment: development, dir: infra/dev/app }",
        "spec: { kind: aws_s3, environment: development, dir: infra/dev/app, gates: [maintenance] }",
      ),
      "infra/dev/app/main.tf": "#\n",
    });
    await reconcileInstallation(h.app.runtime, 1);
    const head = h.gh.commit(repo.fullName, "change", { "infra/dev/app/main.tf": "# changed\n" });
    const pull = h.gh.openPull({ repo: repo.fullName, head: { ref: "change", sha: head }, user: "alice" });
    await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "opened", pull));
    const gh = h.gh;
    const dispatch = await h.waitFor(() => gh.dispatches(repo.fullName)[0], "the plan dispatch");
    await h.gh.completeRun(repo.fullName, dispatch.runId, {
      conclusion: "success",
      result: planResult(dispatch),
    });
    await h.waitFor(
      () => gh.checkRuns(repo.fullName, { headSha: head, name: "flowgate" })[0]?.conclusion === "success",
      "flowgate success",
    );

    // Redis loses everything: stop it, drop its data, start it empty on the same port.
    await h.app.stop();
    await redis.kill();
    for (const entry of readdirSync(redis.dir))
      rmSync(join(redis.dir, entry), { recursive: true, force: true });
    await redis.restart();
    const app = await h.another();
    const report = await reconcileInstallation(app.runtime, 1);
    expect(report.lostStateDetected).toBe(true);
    await h.waitFor(
      () =>
        /lost/.test(
          gh.checkRuns(repo.fullName, { headSha: head, name: "flowgate" }).at(-1)?.output.summary ?? "",
        ),
      "the re-evaluation after the loss",
    );
    const check = gh.checkRuns(repo.fullName, { headSha: head, name: "flowgate" }).at(-1)!;
    expect(check.conclusion).not.toBe("success");
    expect(check.output.summary).toMatch(/lost/);
    // The plan that ran before the loss is adopted, not dispatched again.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(gh.dispatches(repo.fullName)).toHaveLength(1);
  });
});

describe("after Redis comes back empty, unfinished applies are rebuilt from GitHub", () => {
  let h: Harness | undefined;
  let ownRedis: { stop(): Promise<void> } | undefined;
  afterEach(async () => {
    await h?.stop();
    await ownRedis?.stop();
    h = undefined;
  });

  it("a job waiting for approval comes back, adopts its plan run, and applies once when approved", async () => {
    const careful = `apiVersion: flowgate/v1
kind: Stack
metadata: { name: db }
spec: { kind: aws_rds, environment: production, dir: infra/db }
---
apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: prod }
spec:
  selector: { kind: environment, id: production }
  flowControl: { previewBeforeUpdateOrDestroy: true, pauseBetweenPreviewAndUpdateOrDestroy: true }
`;
    const redis = await startRedis({ appendonly: true });
    ownRedis = redis;
    h = await startHarness({ redis });
    const gh = h.gh;
    const repo = seedRepo(gh, { ".github/flowgate/stacks.yml": careful, "infra/db/main.tf": "#\n" });
    gh.setPermission(repo.fullName, "bob", "write");
    await reconcileInstallation(h.app.runtime, 1);
    // Straight to the default branch: the push gets an apply job that plans and waits for approval.
    const before = gh.repo(repo.fullName).branches.get("main")!;
    const after = gh.commit(repo.fullName, "main", { "infra/db/main.tf": "# bigger\n" });
    await gh.sendWebhook("push", pushEvent(gh, repo, { before, after }));
    const plan = await h.waitFor(
      () => gh.dispatches(repo.fullName).find((d) => d.inputs.sha === after),
      "the plan dispatch",
    );
    await gh.completeRun(repo.fullName, plan.runId, { conclusion: "success", result: planResult(plan) });
    await h.waitFor(
      () =>
        gh
          .checkRuns(repo.fullName, { headSha: after, name: "flowgate/apply: db" })
          .at(-1)
          ?.output.title?.startsWith("waiting for approval"),
      "the job to wait for approval",
    );

    await h.app.stop();
    await redis.kill();
    for (const entry of readdirSync(redis.dir))
      rmSync(join(redis.dir, entry), { recursive: true, force: true });
    await redis.restart();
    const app = await h.another();
    gh.setWebhookTarget(`http://127.0.0.1:${await app.listen(0, "127.0.0.1")}/api/github/webhooks`);
    const report = await reconcileInstallation(app.runtime, 1);
    expect(report.lostStateDetected).toBe(true);
    expect(report.commitsRecovered).toBe(1);
    await h.waitFor(
      () =>
        gh.checkRuns(repo.fullName, { headSha: after, name: "flowgate/apply: db" }).length === 2 &&
        gh
          .checkRuns(repo.fullName, { headSha: after, name: "flowgate/apply: db" })
          .at(-1)
          ?.output.title?.startsWith("waiting for approval"),
      "the rebuilt job to wait for approval again",
    );
    expect(gh.dispatches(repo.fullName).filter((d) => d.inputs.operation === "plan")).toHaveLength(1);

    const check = gh.checkRuns(repo.fullName, { headSha: after, name: "flowgate/apply: db" }).at(-1)!;
    await gh.sendWebhook(
      "check_run",
      checkRunRequestedActionEvent(gh, check, { login: "bob", identifier: "approve" }),
    );
    const apply = await h.waitFor(
      () => gh.dispatches(repo.fullName).find((d) => d.inputs.operation === "apply"),
      "the apply dispatch",
    );
    expect(apply.inputs.plan_run_id).toBe(String(plan.runId));
    expect(gh.dispatches(repo.fullName)).toHaveLength(2);
  });
});
