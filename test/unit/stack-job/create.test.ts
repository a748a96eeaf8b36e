import { describe, expect, it } from "vitest";
import { newJob } from "../../../src/engine/stack-job/create.js";
import { controls, jobInput, t } from "./builders.js";

describe("newJob", () => {
  it("queues a plan job whatever the controls say (it exists because a plan was asked for)", () => {
    const job = newJob(
      jobInput({ kind: "plan", controls: controls({ isManual: true, disableOnLifecycleEvents: true }) }),
      t(0),
    );
    expect(job.status).toBe("queued");
  });

  it("leaves an apply job pending under disableOnLifecycleEvents, before isManual", () => {
    const job = newJob(
      jobInput({
        environment: "staging",
        controls: controls({ disableOnLifecycleEvents: true, isManual: true }),
      }),
      t(0),
    );
    expect(job.status).toBe("pending");
    expect(job.reason).toMatch(
      /disableOnLifecycleEvents.*\/apply or flowgate apply --env staging --all-pending/,
    );
  });

  it("makes an apply job wait for a start under isManual", () => {
    const job = newJob(jobInput({ controls: controls({ isManual: true }) }), t(0));
    expect(job.status).toBe("awaiting_start");
    expect(job.reason).toMatch(/isManual/);
  });

  it("queues any other apply job, naming what it waits for", () => {
    const job = newJob(jobInput({ dependsOn: ["job-net-1"], gates: ["freeze"] }), t(3));
    expect(job).toMatchObject({
      status: "queued",
      reason: "queued: waiting for dependencies (job-net-1), gates (freeze) and the stack lock",
      createdAt: t(3).toISOString(),
      updatedAt: t(3).toISOString(),
      runs: [],
      history: [
        {
          at: t(3).toISOString(),
          status: "queued",
          note: "queued: waiting for dependencies (job-net-1), gates (freeze) and the stack lock",
        },
      ],
    });
    expect(job.deadline).toBeUndefined();
    expect(job.plan).toBeUndefined();
  });

  it("keeps the PR's approval for carry-over only when there is a PR", () => {
    const carryOver = { fingerprint: "f".repeat(64), approvers: ["bob"] };
    expect(newJob(jobInput({ carryOver }), t(0)).carryOver).toEqual(carryOver);
    expect(newJob(jobInput({ carryOver, prNumber: undefined }), t(0)).carryOver).toBeUndefined();
    expect(newJob(jobInput({ carryOver, kind: "plan" }), t(0)).carryOver).toBeUndefined();
  });

  it("shares no list with its input", () => {
    const input = jobInput({ dependsOn: ["a"], carryOver: { fingerprint: "f", approvers: ["bob"] } });
    const job = newJob(input, t(0));
    input.dependsOn.push("b");
    input.carryOver?.approvers.push("mallory");
    input.controls.isManual = true;
    expect(job.dependsOn).toEqual(["a"]);
    expect(job.carryOver?.approvers).toEqual(["bob"]);
    expect(job.controls.isManual).toBe(false);
  });
});
