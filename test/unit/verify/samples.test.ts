import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ProbeSchedule } from "../../../src/engine/verification.js";
import { decideVerification, type ProbeSample } from "../../../src/verify/samples.js";

const START = new Date("2026-05-04T12:00:00Z");
const at = (seconds: number) => new Date(START.getTime() + seconds * 1000);
const pass = (s: number): ProbeSample => ({ at: at(s), ok: true, reason: "status 200" });
const fail = (s: number, reason = "status 503, expected 200"): ProbeSample => ({
  at: at(s),
  ok: false,
  reason,
});

const schedule = (over: Partial<ProbeSchedule> = {}): ProbeSchedule => ({
  intervalMs: 30_000,
  forMs: 0,
  timeoutMs: 10_000,
  failureLimit: 0,
  ...over,
});

describe("decideVerification", () => {
  it("no sample yet: the first is due at the start", () => {
    expect(decideVerification(schedule(), [], START)).toEqual({
      verdict: "sample",
      at: START,
      reason: "no sample yet",
    });
  });

  it("without `for`, one passing sample passes and one failure fails", () => {
    expect(decideVerification(schedule(), [pass(0)], START)).toEqual({
      verdict: "passed",
      reason: "1 of 1 samples passed: status 200",
    });
    expect(decideVerification(schedule(), [fail(0)], START)).toEqual({
      verdict: "failed",
      reason: "1 of 1 samples failed; last failure: status 503, expected 200",
    });
  });

  it("with `for`, it samples every interval until the span is covered", () => {
    const s = schedule({ forMs: 90_000 });
    expect(decideVerification(s, [pass(0), pass(30)], START)).toEqual({
      verdict: "sample",
      at: at(60),
      reason: "holding so far; 1m left",
    });
    expect(decideVerification(s, [pass(0), pass(30), pass(60), pass(90)], START)).toEqual({
      verdict: "passed",
      reason: "4 of 4 samples passed over 1m30s: status 200",
    });
    // A worker that was away for the whole window still needs one sample per interval.
    expect(decideVerification(s, [pass(0), pass(120)], START)).toMatchObject({
      verdict: "sample",
      at: at(150),
      reason: "holding so far; 2 more sample(s) needed",
    });
  });

  it("failureLimit tolerates that many failures; the last sample must pass", () => {
    const s = schedule({ forMs: 60_000, failureLimit: 1 });
    expect(decideVerification(s, [fail(0, "warming up")], START)).toEqual({
      verdict: "sample",
      at: at(30),
      reason: "the last sample failed (warming up); trying again",
    });
    expect(decideVerification(s, [fail(0), pass(30), pass(60)], START).verdict).toBe("passed");
    expect(decideVerification(s, [fail(0), pass(30), fail(60, "timeout")], START)).toEqual({
      verdict: "failed",
      reason: "2 of 3 samples failed (1 tolerated); last failure: timeout",
    });
  });

  it("a failure that asking again cannot mend fails at once", () => {
    const refused: ProbeSample = {
      at: at(0),
      ok: false,
      reason: "not requested: host x is not allowed",
      permanent: true,
    };
    expect(decideVerification(schedule({ failureLimit: 5 }), [refused], START)).toEqual({
      verdict: "failed",
      reason: "not requested: host x is not allowed",
    });
  });

  it("property: it ends within samplesNeeded + failureLimit samples, and passes only after enough passing ones", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 600 }),
        fc.integer({ min: 0, max: 3 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 80 }),
        (intervalS, forS, failureLimit, outcomes) => {
          const s = schedule({ intervalMs: intervalS * 1000, forMs: forS * 1000, failureLimit });
          const samples: ProbeSample[] = [];
          let decision = decideVerification(s, samples, START);
          for (const ok of outcomes) {
            if (decision.verdict !== "sample") break;
            samples.push({ at: decision.at, ok, reason: ok ? "ok" : "bad" });
            decision = decideVerification(s, samples, START);
          }
          const needed = forS === 0 ? 1 : Math.ceil(forS / intervalS) + 1;
          expect(samples.length).toBeLessThanOrEqual(needed + failureLimit);
          const failures = samples.filter((x) => !x.ok).length;
          if (decision.verdict === "passed") {
            expect(samples.at(-1)!.ok).toBe(true);
            expect(failures).toBeLessThanOrEqual(failureLimit);
            expect(samples.at(-1)!.at.getTime() - START.getTime()).toBeGreaterThanOrEqual(forS * 1000);
          }
          if (decision.verdict === "failed") expect(failures).toBe(failureLimit + 1);
        },
      ),
    );
  });
});
