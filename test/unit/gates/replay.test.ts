import { describe, expect, it } from "vitest";
import { type GateToggle, olderThanToggle } from "../../../src/engine/gates.js";

const toggle = (at: string, id: number): GateToggle => ({
  state: "closed",
  at: new Date(at),
  by: "sre",
  command: { at, id },
});

describe("olderThanToggle: a replayed command never overrides a newer gate change", () => {
  it("no command recorded yet: nothing is older", () => {
    expect(olderThanToggle(undefined, "2026-12-05T10:00:00Z", 5)).toBe(false);
  });
  it("an earlier second is older, a later one is not", () => {
    expect(olderThanToggle(toggle("2026-12-05T10:00:05Z", 9), "2026-12-05T10:00:04Z", 99)).toBe(true);
    expect(olderThanToggle(toggle("2026-12-05T10:00:05Z", 9), "2026-12-05T10:00:06Z", 1)).toBe(false);
  });
  it("in the same second, comment ids decide; the same comment again is refused", () => {
    expect(olderThanToggle(toggle("2026-12-05T10:00:05Z", 9), "2026-12-05T10:00:05Z", 8)).toBe(true);
    expect(olderThanToggle(toggle("2026-12-05T10:00:05Z", 9), "2026-12-05T10:00:05Z", 9)).toBe(true);
    expect(olderThanToggle(toggle("2026-12-05T10:00:05Z", 9), "2026-12-05T10:00:05Z", 10)).toBe(false);
  });
  it("console actions carry no comment id: only their time counts", () => {
    expect(olderThanToggle(toggle("2026-12-05T10:00:05Z", 9), "2026-12-05T10:00:05Z", -1)).toBe(false);
    expect(olderThanToggle(toggle("2026-12-05T10:00:05Z", -3), "2026-12-05T10:00:05Z", 4)).toBe(false);
  });
});
