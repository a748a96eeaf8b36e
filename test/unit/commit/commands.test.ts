import { describe, expect, it } from "vitest";
import { decideMergedCommand, eligibilityNeeded } from "../../../src/engine/commit/commands.js";
import type { StackJob } from "../../../src/engine/stack-job/types.js";

const job = (stack: string, status: string) => ({ id: `7-a-${stack}`, stack, status }) as unknown as StackJob;
const JOBS = [job("db", "pending"), job("app", "awaiting_approval"), job("web", "failed")];

describe("commands on a merged PR, decided without carrying anything out", () => {
  it("/apply starts only pending jobs, and only for someone eligible", () => {
    const command = { name: "apply" as const, args: [] };
    expect(eligibilityNeeded(command, JOBS).map((j) => j.stack)).toEqual(["db"]);
    const allowed = decideMergedCommand({
      command,
      jobs: JOBS,
      permission: "none",
      eligibility: { "7-a-db": { allowed: true, reason: "" } },
    });
    expect(allowed.intents.map((i) => [i.job.stack, i.kind])).toEqual([
      ["db", "start"],
      ["app", "answer"],
      ["web", "answer"],
    ]);
    const refused = decideMergedCommand({
      command: { name: "apply", args: ["db"] },
      jobs: JOBS,
      permission: "admin",
      eligibility: { "7-a-db": { allowed: false, reason: "you are the author" } },
    });
    expect(refused.intents).toEqual([
      { kind: "answer", job: JOBS[0], text: "refused: you are the author", ok: false },
    ]);
  });

  it("/retry and /cancel need write permission; unknown stacks are named", () => {
    const read = decideMergedCommand({
      command: { name: "retry", args: ["web", "nope"] },
      jobs: JOBS,
      permission: "read",
      eligibility: {},
    });
    expect(read.unknown).toEqual(["nope"]);
    expect(read.intents).toEqual([
      { kind: "answer", job: JOBS[2], text: "refused: needs write permission, you have read", ok: false },
    ]);
    const write = decideMergedCommand({
      command: { name: "retry", args: ["web"] },
      jobs: JOBS,
      permission: "write",
      eligibility: {},
    });
    expect(write.intents).toEqual([{ kind: "retry", job: JOBS[2] }]);
  });

  it("/reject carries its reason; /approve only for a job waiting for approval", () => {
    const reject = decideMergedCommand({
      command: { name: "reject", args: ["app"], reason: "not today", separator: true },
      jobs: JOBS,
      permission: "none",
      eligibility: { "7-a-app": { allowed: true, reason: "" } },
    });
    expect(reject.intents).toEqual([{ kind: "reject", job: JOBS[1], reason: "rejected: not today" }]);
    const approve = decideMergedCommand({
      command: { name: "approve", args: [] },
      jobs: JOBS,
      permission: "none",
      eligibility: {},
    });
    expect(approve.intents.filter((i) => i.kind === "approve").map((i) => i.job.stack)).toEqual(["app"]);
  });
});
