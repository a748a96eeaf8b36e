import { describe, expect, it } from "vitest";
import { decideProgression, progressionCycle, type StackAtCommit } from "../../../src/engine/progression.js";

const NOW = new Date("2026-05-04T12:00:00Z");
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);

const at = (stack: string, environment: string, progress: StackAtCommit["progress"]): StackAtCommit => ({
  stack,
  environment,
  progress,
});

describe("decideProgression", () => {
  it("no progression: go", () => {
    expect(decideProgression({ after: [] }, [], NOW).kind).toBe("go");
  });

  it("waits for the stacks the commit touched in the earlier environment, naming them", () => {
    const touched = [
      at("stg-db", "staging", { state: "verified", at: minutesAgo(5) }),
      at("stg-web", "staging", { state: "pending" }),
      at("prod-web", "production", { state: "pending" }),
    ];
    expect(decideProgression({ after: ["staging"], soak: "30m" }, touched, NOW)).toEqual({
      kind: "wait",
      waitingFor: [{ environment: "staging", stacks: ["stg-web"] }],
      reason: "waits for this commit to be applied and verified in staging (stg-web)",
    });
  });

  it("soaks after the last verification, then goes", () => {
    const touched = [
      at("stg-db", "staging", { state: "verified", at: minutesAgo(40) }),
      at("stg-web", "staging", { state: "verified", at: minutesAgo(10) }),
    ];
    const soaking = decideProgression({ after: ["staging"], soak: "30m" }, touched, NOW);
    expect(soaking).toEqual({
      kind: "soak",
      until: new Date("2026-05-04T12:20:00Z"),
      reason: "verified in staging; soaking for 30m until 2026-05-04T12:20:00.000Z",
    });
    const later = new Date("2026-05-04T12:20:00Z");
    expect(decideProgression({ after: ["staging"], soak: "30m" }, touched, later)).toEqual({
      kind: "go",
      reason: "verified in staging and soaked for 30m",
    });
    expect(decideProgression({ after: ["staging"] }, touched, NOW)).toEqual({
      kind: "go",
      reason: "verified in staging",
    });
  });

  it("a failure in the earlier environment holds, with its reason", () => {
    const touched = [
      at("stg-db", "staging", {
        state: "failed",
        reason: "verification http 1 failed: status 503, expected 200",
      }),
      at("stg-web", "staging", { state: "pending" }),
    ];
    expect(decideProgression({ after: ["staging"] }, touched, NOW)).toEqual({
      kind: "held",
      failed: [
        {
          environment: "staging",
          stack: "stg-db",
          reason: "verification http 1 failed: status 503, expected 200",
        },
      ],
      reason:
        "held: this commit failed in an earlier environment: stg-db (staging): verification http 1 failed: status 503, expected 200",
    });
  });

  it("an environment the commit did not touch is not waited for, and says so", () => {
    expect(
      decideProgression(
        { after: ["staging"], soak: "1h" },
        [at("prod", "production", { state: "pending" })],
        NOW,
      ),
    ).toEqual({
      kind: "go",
      reason: "this commit touched no stack in staging: nothing to wait for",
    });
    const touched = [at("dev-db", "dev", { state: "pending" })];
    expect(decideProgression({ after: ["dev", "staging"] }, touched, NOW).reason).toBe(
      "waits for this commit to be applied and verified in dev (dev-db); this commit touched no stack in staging, so there is nothing to wait for there",
    );
  });

  it("a soak that cannot be read holds (fail closed)", () => {
    const touched = [at("s", "staging", { state: "verified", at: minutesAgo(1) })];
    const d = decideProgression({ after: ["staging"], soak: "soon" }, touched, NOW);
    expect(d.kind).toBe("held");
    expect(d.reason).toMatch(/progression.soak: "soon" is not a duration/);
  });
});

describe("progressionCycle", () => {
  it("finds environments that wait for each other", () => {
    const after = new Map([
      ["production", ["staging"]],
      ["staging", ["dev", "production"]],
      ["dev", []],
    ]);
    expect(progressionCycle(after)).toEqual(["production", "staging", "production"]);
  });

  it("a chain is fine", () => {
    expect(
      progressionCycle(
        new Map([
          ["production", ["staging"]],
          ["staging", ["dev"]],
        ]),
      ),
    ).toBeUndefined();
  });
});
