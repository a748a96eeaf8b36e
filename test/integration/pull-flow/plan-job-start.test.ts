import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { newJob } from "../../../src/engine/stack-job/index.js";
import type { StackJob } from "../../../src/engine/stack-job/types.js";
import { createJobWithEvent, type DeferredDispatch } from "../../../src/workers/jobs/driver.js";
import { type Harness, startHarness } from "../../support/harness.js";

function draft(id: string): StackJob {
  return newJob(
    {
      id,
      kind: "plan",
      installationId: 1,
      owner: "acme",
      repo: "infra",
      stack: "app",
      environment: "development",
      workflow: "flowgate.yml",
      path: "infra/app",
      sha: "a".repeat(40),
      prNumber: 7,
      controls: {
        isManual: false,
        disableOnLifecycleEvents: false,
        skipRefresh: false,
        previewBeforeUpdateOrDestroy: true,
        pauseBetweenPreviewAndUpdateOrDestroy: false,
      },
      policy: { name: "dev-fast", file: ".github/flowgate/policies.yml" },
      timeouts: { planMs: 3_600_000, applyMs: 3_600_000, approvalMs: 86_400_000, planMaxAgeMs: 86_400_000 },
      dependsOn: [],
      gates: [],
      triggeredBy: { login: "alice", type: "user" },
    },
    new Date(),
  );
}

describe("a plan job created already started", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it("is written once, started, with its dispatch handed over and its audit entry; a second create changes nothing", async () => {
    const rt = h.app.runtime;
    const handed: DeferredDispatch[] = [];
    const since = new Date(Date.now() - 1000);
    expect(
      await createJobWithEvent(
        rt,
        draft("j1"),
        1,
        { type: "ready" },
        { deferDispatch: (d) => handed.push(d) },
      ),
    ).toBe(true);
    const stored = await rt.jobs.docs.get("j1");
    expect(stored?.version).toBe(1);
    expect(stored?.doc.status).not.toBe(draft("j1").status);
    expect(handed).toEqual([{ jobId: "j1", runIndex: 0 }]);
    expect(await rt.jobs.openJobIds()).toContain("j1");
    const audit = await rt.audit.since(since, 100);
    expect(audit.filter((e) => e.type === "job-status" && e.jobId === "j1")).toHaveLength(1);

    expect(
      await createJobWithEvent(
        rt,
        draft("j1"),
        1,
        { type: "ready" },
        { deferDispatch: (d) => handed.push(d) },
      ),
    ).toBe(false);
    expect((await rt.jobs.docs.get("j1"))?.version).toBe(1);
    expect(handed).toHaveLength(1);
  });
});
