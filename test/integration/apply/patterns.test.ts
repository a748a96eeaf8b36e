/**
 * SPEC §4 with the shipped example policies (policies/examples/): what happens after a merge for each
 * pattern, seen on GitHub (dispatches, `flowgate/apply: <stack>` checks, the merged PR's comment).
 */
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../../src/cli/main.js";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import {
  applyCheck,
  comment,
  completePullPlan,
  completeRun,
  concluded,
  configFiles,
  dispatchesOf,
  expectOneCheckPerJob,
  mergePull,
  openPull,
  REPO,
  settle,
  sticky,
  waitForApplyCheck,
  waitForDispatch,
  waitForReply,
  waitingForApproval,
} from "./support.js";

const example = (name: string) => readFileSync(`policies/examples/${name}.yaml`, "utf8");

describe("after a merge, the example policies", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    expectOneCheckPerJob(h);
    await h.stop();
  });

  it("development speed: merge → plan (no refresh) → apply, nobody involved", async () => {
    seedRepo(h.gh, configFiles([{ name: "web", environment: "development" }], example("development-speed")));
    h.gh.setPermission(REPO, "alice", "write");
    const pull = await openPull(h, ["web"]);
    await completePullPlan(h, "web");
    // autoMerge holds (no destroy): flowgate merges the PR itself.
    const merge = await h.waitFor(() => h.gh.merges(REPO)[0], "flowgate merging the PR");
    expect(merge.mergedBy).toBe("flowgate[bot]");

    const plan = await waitForDispatch(h, { stack: "web", operation: "plan", sha: merge.sha });
    expect(plan.ref).toBe("main");
    expect(plan.inputs).toMatchObject({
      operation: "plan",
      sha: merge.sha,
      path: "infra/web",
      refresh: "false",
    });
    await completeRun(h, plan);
    const apply = await waitForDispatch(h, { stack: "web", operation: "apply" });
    expect(apply.ref).toBe("main");
    expect(apply.inputs).toEqual({
      job_id: plan.inputs.job_id,
      stack: "web",
      operation: "apply",
      sha: merge.sha,
      path: "infra/web",
      refresh: "false",
      plan_run_id: String(plan.runId),
    });
    await completeRun(h, apply);

    const check = await waitForApplyCheck(h, merge.sha, "web", concluded("success"), "success");
    expect(check.externalId).toBe(plan.inputs.job_id);
    expect(check.output.title).toBe("applied (plan +1 ~2 -0)");
    expect(check.output.text).toContain("aws_db_instance.db_0");
    await h.waitFor(() => sticky(h, pull)?.body.includes("after the merge ✅ applied"), "the sticky comment");
    expect(dispatchesOf(h, { operation: "apply" })).toHaveLength(1);
  });

  it("production safety: merge → refresh and plan → waits for /approve on the merged PR → apply", async () => {
    seedRepo(h.gh, configFiles([{ name: "db", environment: "production" }], example("production-safety")));
    h.gh.setPermission(REPO, "alice", "write");
    h.gh.setPermission(REPO, "bob", "write");
    h.gh.setPermission(REPO, "carol", "write");
    h.gh.addTeam("acme", "ops-team", ["bob"]);
    const pull = await openPull(h, ["db"]);
    await completePullPlan(h, "db");
    const sha = await mergePull(h, pull.number);

    const plan = await waitForDispatch(h, { stack: "db", operation: "plan", sha });
    expect(plan.inputs).toMatchObject({ refresh: "true", plan_run_id: "" });
    await completeRun(h, plan);
    const waiting = await waitForApplyCheck(h, sha, "db", waitingForApproval, "waiting for approval");
    expect(waiting.output.summary).toContain("/approve db on the merged PR");
    expect(waiting.actions.map((a) => a.identifier)).toEqual(["approve"]);
    const body = await h.waitFor(
      () => sticky(h, pull)?.body.includes("/approve db on the merged PR") && sticky(h, pull)?.body,
      "the merged PR's sticky comment",
    );
    expect(body).toContain("after the merge");
    expect(body).toContain("an eligible approver comments /approve db on the merged PR");
    await settle(300);
    expect(dispatchesOf(h, { operation: "apply" })).toHaveLength(0);

    // carol has write permission but is in neither team: refused, nothing applies.
    const refused = await comment(h, pull, "carol", "/approve");
    await waitForReply(h, pull, refused, "not in fromTeams");
    expect(dispatchesOf(h, { operation: "apply" })).toHaveLength(0);

    await comment(h, pull, "bob", "/approve db");
    const apply = await waitForDispatch(h, { stack: "db", operation: "apply", sha });
    expect(apply.inputs).toMatchObject({ refresh: "true", plan_run_id: String(plan.runId) });
    await completeRun(h, apply);
    const done = await waitForApplyCheck(h, sha, "db", concluded("success"), "success");
    expect(done.output.summary).toContain("Approved by @bob");
    expect(dispatchesOf(h, { operation: "apply" })).toHaveLength(1);
  });

  it("production safety: a plan that destroys needs the high-risk rule's two platform-team approvers", async () => {
    seedRepo(h.gh, configFiles([{ name: "db", environment: "production" }], example("production-safety")));
    for (const login of ["alice", "bob", "pat", "quinn"]) h.gh.setPermission(REPO, login, "write");
    h.gh.addTeam("acme", "ops-team", ["bob"]);
    h.gh.addTeam("acme", "platform-team", ["pat", "quinn"]);
    const pull = await openPull(h, ["db"]);
    const sha = await mergePull(h, pull.number);
    const plan = await waitForDispatch(h, { stack: "db", operation: "plan", sha });
    await completeRun(h, plan, { summary: { add: 0, change: 1, destroy: 1, replace: 0 } });
    await waitForApplyCheck(h, sha, "db", waitingForApproval, "waiting for approval");

    // risk is high: the first rule applies, and bob (ops-team) is not among its approvers.
    const byBob = await comment(h, pull, "bob", "/approve");
    await waitForReply(h, pull, byBob, "not in fromTeams [platform-team]");
    const byPat = await comment(h, pull, "pat", "/approve");
    await waitForReply(h, pull, byPat, "1 of 2");
    await settle(200);
    expect(dispatchesOf(h, { operation: "apply" })).toHaveLength(0);
    await comment(h, pull, "quinn", "/approve");
    await completeRun(h, await waitForDispatch(h, { stack: "db", operation: "apply", sha }));
    const done = await waitForApplyCheck(h, sha, "db", concluded("success"), "success");
    expect(done.output.summary).toMatch(/Approved by @pat, @quinn/);
  });

  it("batch: merges pile up as pending stacks until /apply or `flowgate apply --env staging --all-pending`", async () => {
    seedRepo(
      h.gh,
      configFiles(
        [
          { name: "api", environment: "staging" },
          { name: "worker", environment: "staging" },
        ],
        example("batch-deployments"),
      ),
    );
    for (const login of ["alice", "bob"]) h.gh.setPermission(REPO, login, "write");
    const first = await mergePull(h, (await openPull(h, ["api"], { branch: "one" })).number);
    const pending = await waitForApplyCheck(h, first, "api", (c) => c.status === "queued", "pending");
    expect(pending.output.title).toBe("pending until started (disableOnLifecycleEvents)");
    expect(pending.output.summary).toContain("flowgate apply --env staging --all-pending");

    // A second merge: its api job takes the place of the first one, which never ran.
    const pull = await openPull(h, ["api", "worker"], { branch: "two" });
    const sha = await mergePull(h, pull.number);
    await waitForApplyCheck(h, first, "api", concluded("skipped"), "superseded");
    await waitForApplyCheck(h, sha, "worker", (c) => c.status === "queued", "pending");
    await settle();
    expect(dispatchesOf(h)).toHaveLength(0);

    // One stack started from the merged PR, by someone who may approve it.
    const apply = await comment(h, pull, "bob", "/apply worker");
    await waitForReply(h, pull, apply, "started");
    await completeRun(h, await waitForDispatch(h, { stack: "worker", operation: "plan", sha }));
    await completeRun(h, await waitForDispatch(h, { stack: "worker", operation: "apply", sha }));
    await waitForApplyCheck(h, sha, "worker", concluded("success"), "success");

    // The rest by the operator's command, run in-process against flowgate's Redis.
    const out: string[] = [];
    const io = {
      stdout: (t: string) => void out.push(t),
      stderr: () => undefined,
      cwd: process.cwd(),
      env: { REDIS_URL: h.redis.url },
    };
    expect(await runCli(["apply", "--env", "staging", "--all-pending", "--redis"], io)).toBe(0);
    expect(out.join("")).toBe(
      `started acme/infra api at ${sha.slice(0, 7)} (job ${applyCheck(h, sha, "api")?.externalId})\n`,
    );
    const plan = await waitForDispatch(h, { stack: "api", operation: "plan", sha });
    expect(plan.inputs.refresh).toBe("true");
    await completeRun(h, plan);
    await completeRun(h, await waitForDispatch(h, { stack: "api", operation: "apply", sha }));
    await waitForApplyCheck(h, sha, "api", concluded("success"), "success");

    out.length = 0;
    expect(await runCli(["apply", "--env", "staging", "--all-pending", "--redis"], io)).toBe(0);
    expect(out.join("")).toBe("no pending stacks in environment staging\n");
    expect(dispatchesOf(h, { operation: "apply" }).map((d) => `${d.inputs.stack}@${d.inputs.sha}`)).toEqual([
      `worker@${sha}`,
      `api@${sha}`,
    ]);
  });

  it("critical resource: nothing until /apply by an eligible approver, then plan, then waits for approval", async () => {
    seedRepo(
      h.gh,
      configFiles(
        [{ name: "payment-db", environment: "production", kind: "postgres_kubernetes" }],
        example("critical-resource"),
      ),
    );
    for (const login of ["alice", "dana", "erin", "frank"]) h.gh.setPermission(REPO, login, "write");
    h.gh.addTeam("acme", "dba-team", ["dana"]);
    h.gh.addTeam("acme", "platform-team", ["erin"]);
    const pull = await openPull(h, ["payment-db"]);
    const sha = await mergePull(h, pull.number);
    const check = await waitForApplyCheck(h, sha, "payment-db", (c) => c.status === "queued", "queued");
    expect(check.output.title).toBe("waiting for a manual start (isManual)");
    await h.waitFor(
      () => sticky(h, pull)?.body.includes("comments /apply payment-db on the merged PR"),
      "the sticky comment naming /apply",
    );
    await settle();
    expect(dispatchesOf(h)).toHaveLength(0);

    // frank is in neither team; alice wrote the PR.
    const byFrank = await comment(h, pull, "frank", "/apply");
    await waitForReply(h, pull, byFrank, "refused");
    const byAuthor = await comment(h, pull, "alice", "/apply payment-db");
    await waitForReply(h, pull, byAuthor, "author");
    await settle(200);
    expect(dispatchesOf(h)).toHaveLength(0);

    const byDana = await comment(h, pull, "dana", "/apply payment-db");
    await waitForReply(h, pull, byDana, "started");
    const plan = await waitForDispatch(h, { stack: "payment-db", operation: "plan", sha });
    await completeRun(h, plan);
    await waitForApplyCheck(h, sha, "payment-db", waitingForApproval, "waiting");

    // Two approvers from dba-team or platform-team.
    await comment(h, pull, "dana", "/approve");
    await settle(300);
    expect(dispatchesOf(h, { operation: "apply" })).toHaveLength(0);
    await comment(h, pull, "erin", "/approve");
    const apply = await waitForDispatch(h, { stack: "payment-db", operation: "apply", sha });
    await completeRun(h, apply);
    const done = await waitForApplyCheck(h, sha, "payment-db", concluded("success"), "success");
    expect(done.output.summary).toMatch(/Approved by @dana, @erin|Approved by @erin, @dana/);
    expect(applyCheck(h, sha, "payment-db")?.output.summary).toMatch(/started by @\u200b?dana/);
  });
});
