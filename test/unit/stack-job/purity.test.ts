/** transition never changes the job it is given: every event, on a deep-frozen job in every status. */
import { describe, expect, it } from "vitest";
import { transition } from "../../../src/engine/stack-job/transition.js";
import type { JobEvent, StackJob } from "../../../src/engine/stack-job/types.js";
import { awaitingApproval, controls, deepFreeze, drive, makeJob, planResult, step, t } from "./builders.js";

function planningJob(): StackJob {
  return drive(makeJob({ dependsOn: ["dep-1"] }), [
    [{ type: "ready", lockToken: 5 }, 1],
    [{ type: "dispatched", operation: "plan", runId: 101 }, 2],
  ]);
}

const jobs: [string, () => StackJob][] = [
  [
    "pending",
    () => makeJob({ controls: controls({ disableOnLifecycleEvents: true }), dependsOn: ["dep-1"] }),
  ],
  ["awaiting_start", () => makeJob({ controls: controls({ isManual: true }) })],
  ["queued", () => makeJob({ dependsOn: ["dep-1"] })],
  ["planning", planningJob],
  ["awaiting_approval", () => awaitingApproval()],
  [
    "applying",
    () =>
      drive(awaitingApproval(), [
        [{ type: "approved", approvers: ["bob"], carriedOver: false }, 20],
        [{ type: "dispatched", operation: "apply", runId: 102 }, 21],
      ]),
  ],
  [
    "failed",
    () => step(planningJob(), { type: "run-completed", runId: 101, conclusion: "failure" }, t(5)).job,
  ],
];

function events(job: StackJob): JobEvent[] {
  const runId = job.runs.at(-1)?.runId ?? 101;
  return [
    { type: "start", by: { login: "alice", type: "user" } },
    { type: "ready", lockToken: 3 },
    { type: "dispatched", operation: "plan", runId: 9 },
    { type: "dispatch-failed", operation: "plan", message: "404" },
    { type: "run-status", runId, status: "waiting" },
    { type: "run-completed", runId, conclusion: "success", result: planResult(job) },
    { type: "run-completed", runId, conclusion: "failure" },
    { type: "approved", approvers: ["bob"], carriedOver: false },
    { type: "cancel", by: "alice", reason: "no" },
    { type: "supersede", byJob: "job-2", sha: "def5678" },
    { type: "dependency-failed", dependency: "dep-1", stack: "net", status: "failed" },
    { type: "timeout" },
    { type: "retry", by: { login: "alice", type: "user" } },
  ];
}

describe("purity", () => {
  for (const [status, build] of jobs) {
    it(`leaves a ${status} job untouched, whatever happens to it`, () => {
      const job = build();
      expect(job.status).toBe(status);
      const copy = structuredClone(job);
      deepFreeze(job);
      let accepted = 0;
      for (const event of events(job)) {
        for (const at of [t(3), t(60 * 24 * 30)]) {
          const tr = transition(job, event, at);
          if (tr.accepted) {
            accepted++;
            expect(tr.job).not.toBe(job);
          }
        }
      }
      expect(job).toEqual(copy);
      // Something happened: the check is not vacuous.
      expect(accepted).toBeGreaterThan(0);
    });
  }
});
