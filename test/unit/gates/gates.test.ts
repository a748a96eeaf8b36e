import { describe, expect, it } from "vitest";
import type { Gate } from "../../../src/config/types.js";
import {
  evaluateGate,
  type GateToggle,
  gateBlocks,
  gateWindowMs,
  toggleExpiry,
} from "../../../src/engine/gates.js";

const HOUR = 3_600_000;

function gate(overrides: Partial<Gate> = {}): Gate {
  return {
    name: "sre-approval",
    default: "closed",
    schedule: [],
    blocks: ["merge", "apply"],
    origin: {
      file: ".github/flowgate/gates.yml",
      level: "repository",
      index: 0,
      pos: () => ({ line: 1, col: 1 }),
    },
    ...overrides,
  };
}

const at = (iso: string) => new Date(iso);

describe("evaluateGate", () => {
  it("falls back to the default", () => {
    expect(evaluateGate(gate(), undefined, at("2026-11-23T10:00:00Z"))).toEqual({
      name: "sre-approval",
      open: false,
      state: "closed",
      source: "default",
      reason: "closed by default",
    });
    const open = evaluateGate(gate({ default: "open" }), undefined, at("2026-11-23T10:00:00Z"));
    expect(open).toMatchObject({ open: true, state: "open", source: "default", reason: "open by default" });
  });

  describe("with a no-deploy-Friday schedule (Europe/Berlin)", () => {
    const noFridays = gate({
      default: "open",
      schedule: [{ days: "fri", timezone: "Europe/Berlin", state: "closed" }],
    });

    it("is closed by the schedule on Friday in Berlin and says until when it may change", () => {
      const d = evaluateGate(noFridays, undefined, at("2026-11-26T23:30:00Z"));
      expect(d).toMatchObject({
        open: false,
        source: "schedule",
        reason: "closed by schedule (fri, Europe/Berlin)",
      });
      expect(d.nextChangeAt?.toISOString()).toBe("2026-11-27T23:00:00.000Z");
    });

    it("is open by default on Thursday, changing at Friday 00:00 Berlin", () => {
      const d = evaluateGate(noFridays, undefined, at("2026-11-26T12:00:00Z"));
      expect(d).toMatchObject({ open: true, source: "default", reason: "open by default" });
      expect(d.nextChangeAt?.toISOString()).toBe("2026-11-26T23:00:00.000Z");
    });

    it("takes the first matching entry", () => {
      const g = gate({
        schedule: [
          { days: "fri", timezone: "Europe/Berlin", state: "closed" },
          { days: "mon-fri", hours: "9-17", timezone: "Europe/Berlin", state: "open" },
        ],
      });
      expect(evaluateGate(g, undefined, at("2026-11-27T10:00:00Z")).state).toBe("closed");
      expect(evaluateGate(g, undefined, at("2026-11-26T10:00:00Z"))).toMatchObject({
        state: "open",
        reason: "open by schedule (mon-fri 9-17, Europe/Berlin)",
      });
      expect(evaluateGate(g, undefined, at("2026-11-26T17:00:00Z"))).toMatchObject({
        state: "closed",
        source: "default",
      });
    });

    it("yields to a manual toggle until it expires", () => {
      const toggle: GateToggle = {
        state: "open",
        at: at("2026-11-27T09:00:00Z"),
        until: at("2026-11-27T10:00:00Z"),
        by: "alice",
      };
      const during = evaluateGate(noFridays, toggle, at("2026-11-27T09:59:59.999Z"));
      expect(during).toEqual({
        name: "sre-approval",
        open: true,
        state: "open",
        source: "manual",
        reason: "opened by @alice until 2026-11-27 10:00 UTC",
        nextChangeAt: at("2026-11-27T10:00:00Z"),
      });
      const after = evaluateGate(noFridays, toggle, at("2026-11-27T10:00:00Z"));
      expect(after).toMatchObject({ open: false, source: "schedule" });
    });
  });

  it("keeps a toggle without expiry until the next toggle", () => {
    const toggle: GateToggle = {
      state: "open",
      at: at("2026-01-01T00:00:00Z"),
      by: "@bob",
      reason: "hotfix",
    };
    const d = evaluateGate(gate(), toggle, at("2030-01-01T00:00:00Z"));
    expect(d).toMatchObject({ open: true, source: "manual", reason: "opened by @bob (reason: hotfix)" });
    expect(d.nextChangeAt).toBeUndefined();
  });

  it("lets a manual close beat an open default", () => {
    const toggle: GateToggle = {
      state: "closed",
      at: at("2026-11-23T10:00:00Z"),
      until: at("2026-11-23T15:00:30Z"),
      by: "carol",
    };
    expect(evaluateGate(gate({ default: "open" }), toggle, at("2026-11-23T12:00:00Z"))).toMatchObject({
      open: false,
      source: "manual",
      reason: "closed by @carol until 2026-11-23 15:00:30 UTC",
    });
  });

  it("resets a maintenance close to the default after its window (Flux RFC #870)", () => {
    const maintenance = gate({ name: "maintenance", default: "open", window: "24h" });
    const closedAt = at("2026-03-26T10:00:00Z");
    const until = toggleExpiry(maintenance, closedAt);
    expect(until?.toISOString()).toBe("2026-03-27T10:00:00.000Z");
    const toggle: GateToggle = { state: "closed", at: closedAt, by: "sre", ...(until ? { until } : {}) };
    expect(evaluateGate(maintenance, toggle, at("2026-03-27T09:59:59Z")).open).toBe(false);
    expect(evaluateGate(maintenance, toggle, at("2026-03-27T10:00:00Z"))).toMatchObject({
      open: true,
      source: "default",
    });
  });

  describe("when the manual state was lost", () => {
    const lostAt = at("2026-11-23T08:00:00Z");

    it("counts as closed whatever the default and schedule say, and tells people why", () => {
      const g = gate({ default: "open", schedule: [{ state: "open" }] });
      const d = evaluateGate(g, undefined, at("2026-11-23T09:00:00Z"), { stateLostSince: lostAt });
      expect(d).toMatchObject({ open: false, state: "closed", source: "lost" });
      expect(d.reason).toContain("lost at 2026-11-23 08:00 UTC");
      expect(d.reason).toContain("opener");
      expect(d.nextChangeAt).toBeUndefined();
    });

    it("ignores a toggle made before the loss", () => {
      const old: GateToggle = { state: "open", at: at("2026-11-23T07:59:59Z"), by: "alice" };
      expect(evaluateGate(gate(), old, at("2026-11-23T09:00:00Z"), { stateLostSince: lostAt }).source).toBe(
        "lost",
      );
    });

    it("follows a toggle made at or after the loss", () => {
      const fresh: GateToggle = { state: "open", at: lostAt, until: at("2026-11-23T10:00:00Z"), by: "alice" };
      expect(
        evaluateGate(gate(), fresh, at("2026-11-23T09:00:00Z"), { stateLostSince: lostAt }),
      ).toMatchObject({
        open: true,
        source: "manual",
      });
      // Once that toggle expires, the gate is back to its default and schedule: the state is known again.
      expect(evaluateGate(gate(), fresh, at("2026-11-23T11:00:00Z"), { stateLostSince: lostAt }).source).toBe(
        "default",
      );
    });
  });
});

describe("toggleExpiry", () => {
  const t = at("2026-11-23T14:00:00Z");

  it("prefers an explicit duration", () => {
    expect(toggleExpiry(gate({ window: "1h" }), t, 30 * 60_000)?.toISOString()).toBe(
      "2026-11-23T14:30:00.000Z",
    );
  });

  it("uses the gate's window otherwise", () => {
    expect(toggleExpiry(gate({ window: "1h" }), t)?.toISOString()).toBe("2026-11-23T15:00:00.000Z");
    expect(toggleExpiry(gate({ window: "1d" }), t)?.getTime()).toBe(t.getTime() + 24 * HOUR);
  });

  it("lasts until the next toggle without either", () => {
    expect(toggleExpiry(gate(), t)).toBeUndefined();
  });

  it("ignores a duration that is not positive", () => {
    expect(toggleExpiry(gate({ window: "1h" }), t, 0)?.toISOString()).toBe("2026-11-23T15:00:00.000Z");
    expect(toggleExpiry(gate(), t, Number.NaN)).toBeUndefined();
  });

  it("treats an unreadable window as none, and gateWindowMs reports it", () => {
    const g = gate({ window: "soon" });
    expect(toggleExpiry(g, t)).toBeUndefined();
    expect(gateWindowMs(g)).toEqual({ ok: false, error: expect.stringContaining('"soon"') });
    expect(gateWindowMs(gate({ window: "2h" }))).toEqual({ ok: true, value: 2 * HOUR });
    expect(gateWindowMs(gate())).toEqual({ ok: true, value: undefined });
  });
});

describe("gateBlocks", () => {
  it("blocks what the gate lists", () => {
    expect(gateBlocks(gate({ blocks: ["merge"] }), "merge")).toBe(true);
    expect(gateBlocks(gate({ blocks: ["merge"] }), "apply")).toBe(false);
    expect(gateBlocks(gate({ blocks: ["apply"] }), "merge")).toBe(false);
    expect(gateBlocks(gate({ blocks: ["merge", "apply"] }), "apply")).toBe(true);
  });

  it("treats an empty list as both", () => {
    expect(gateBlocks(gate({ blocks: [] }), "merge")).toBe(true);
    expect(gateBlocks(gate({ blocks: [] }), "apply")).toBe(true);
  });
});
