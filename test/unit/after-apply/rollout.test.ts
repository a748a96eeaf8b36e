import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { StackProgress } from "../../../src/engine/progression.js";
import {
  decideWave,
  orderForRollout,
  partitionIntoWaves,
  planRolloutWaves,
  type RolloutStack,
} from "../../../src/engine/rollout.js";

const ok = <T>(r: { ok: true; value: T } | { ok: false; error: string }): T => {
  if (!r.ok) throw new Error(r.error);
  return r.value;
};

const stacks = (...names: string[]): RolloutStack[] => names.map((name) => ({ name, dependsOn: [] }));

describe("partitionIntoWaves", () => {
  it("takes the sizes in order and puts the rest in the last wave", () => {
    expect(ok(partitionIntoWaves([1, 2, 3, 4, 5], [1, 2, 2]))).toEqual([[1], [2, 3], [4, 5]]);
    expect(ok(partitionIntoWaves([1, 2, 3, 4, 5, 6, 7], [1, 2]))).toEqual([[1], [2, 3, 4, 5, 6, 7]]);
    expect(ok(partitionIntoWaves([1, 2], [1, 2, 4]))).toEqual([[1], [2]]);
    expect(ok(partitionIntoWaves([1, 2, 3], []))).toEqual([[1, 2, 3]]);
    expect(ok(partitionIntoWaves([], [1, 2]))).toEqual([]);
  });

  it("refuses sizes that are not positive whole numbers", () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      const r = partitionIntoWaves([1, 2], [1, bad]);
      expect(r.ok).toBe(false);
    }
  });

  it("property: every item exactly once, in order; no wave empty; every wave but the last has its size", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer(), { maxLength: 60 }),
        fc.array(fc.integer({ min: 1, max: 10 }), { maxLength: 8 }),
        (items, sizes) => {
          const waves = ok(partitionIntoWaves(items, sizes));
          expect(waves.flat()).toEqual(items);
          for (const wave of waves) expect(wave.length).toBeGreaterThan(0);
          waves.slice(0, -1).forEach((wave, i) => {
            expect(wave.length).toBe(sizes[i]);
          });
          if (items.length > 0) {
            // At most one wave per size (or one wave when there are no sizes).
            expect(waves.length).toBeLessThanOrEqual(Math.max(1, sizes.length));
            const last = waves.length - 1;
            if (sizes.length > 0)
              expect(waves[last]!.length).toBeGreaterThanOrEqual(
                Math.min(sizes[last]!, items.length - sizes.slice(0, last).reduce((a, b) => a + b, 0)),
              );
          }
        },
      ),
    );
  });
});

describe("planRolloutWaves", () => {
  it("orders by name where nothing depends on anything", () => {
    expect(ok(planRolloutWaves(stacks("e", "c", "a", "d", "b"), [1, 2, 2]))).toEqual([
      ["a"],
      ["b", "c"],
      ["d", "e"],
    ]);
  });

  it("puts a stack after the stacks of the set it depends on; outside dependencies do not count", () => {
    const set: RolloutStack[] = [
      { name: "a-app", dependsOn: ["z-network", "elsewhere"] },
      { name: "z-network", dependsOn: [] },
      { name: "m-db", dependsOn: ["z-network"] },
    ];
    expect(ok(planRolloutWaves(set, [1]))).toEqual([["z-network", "a-app", "m-db"]]);
    expect(ok(planRolloutWaves(set, [1, 1]))).toEqual([["z-network"], ["a-app", "m-db"]]);
  });

  it("a dependency cycle is an error naming the stacks", () => {
    const r = orderForRollout([
      { name: "a", dependsOn: ["b"] },
      { name: "b", dependsOn: ["a"] },
      { name: "c", dependsOn: [] },
    ]);
    expect(r).toEqual({ ok: false, error: "these stacks depend on each other in a cycle: a, b" });
  });

  it("property: a stack never sits in an earlier wave than one of the set it depends on", () => {
    // Acyclic by construction: a stack may depend only on stacks with a smaller index.
    const sets = fc
      .integer({ min: 1, max: 25 })
      .chain((n) =>
        fc.tuple(
          fc.shuffledSubarray(
            Array.from({ length: n }, (_, i) => `s${String(i).padStart(2, "0")}`),
            {
              minLength: n,
              maxLength: n,
            },
          ),
          fc.array(fc.array(fc.nat(n), { maxLength: 3 }), { minLength: n, maxLength: n }),
        ),
      )
      .map(([names, deps]) =>
        names.map((name, i) => ({ name, dependsOn: deps[i]!.filter((d) => d < i).map((d) => names[d]!) })),
      );
    fc.assert(
      fc.property(sets, fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 5 }), (set, sizes) => {
        const waves = ok(planRolloutWaves(set, sizes));
        const waveOf = new Map<string, number>();
        waves.forEach((w, i) => {
          for (const s of w) waveOf.set(s, i);
        });
        expect([...waveOf.keys()].sort()).toEqual(set.map((s) => s.name).sort());
        const order = waves.flat();
        for (const s of set) {
          for (const d of s.dependsOn) {
            expect(waveOf.get(d)!).toBeLessThanOrEqual(waveOf.get(s.name)!);
            expect(order.indexOf(d)).toBeLessThan(order.indexOf(s.name));
          }
        }
      }),
    );
  });
});

describe("decideWave", () => {
  const waves = [["a"], ["b", "c"], ["d", "e"]];
  const verified: StackProgress = { state: "verified", at: new Date("2026-01-01T00:00:00Z") };

  it("the first wave starts at once; a later one waits for every stack of the earlier waves", () => {
    expect(ok(decideWave(waves, "a", new Map()))).toMatchObject({ kind: "go", wave: 1 });
    expect(
      ok(
        decideWave(
          waves,
          "d",
          new Map([
            ["a", verified],
            ["b", verified],
          ]),
        ),
      ),
    ).toEqual({
      kind: "wait",
      wave: 3,
      waitingFor: ["c"],
      reason: "wave 3 of 3 waits for the earlier waves to be applied and verified (c)",
    });
    const all = new Map([
      ["a", verified],
      ["b", verified],
      ["c", verified],
    ]);
    expect(ok(decideWave(waves, "e", all))).toMatchObject({ kind: "go", wave: 3 });
  });

  it("a failure in the second wave stops the third, naming it", () => {
    const progress = new Map<string, StackProgress>([
      ["a", verified],
      ["b", verified],
      ["c", { state: "failed", reason: "verification http 1 failed: status 503, expected 200" }],
    ]);
    expect(ok(decideWave(waves, "d", progress))).toEqual({
      kind: "stopped",
      wave: 3,
      failed: [{ stack: "c", reason: "verification http 1 failed: status 503, expected 200" }],
      reason:
        "an earlier wave failed (c: verification http 1 failed: status 503, expected 200); wave 3 does not start",
    });
    // The failed stack's own wave is not stopped by it.
    expect(ok(decideWave(waves, "b", progress))).toMatchObject({ kind: "go", wave: 2 });
  });

  it("a stack in no wave is refused", () => {
    expect(decideWave(waves, "x", new Map())).toEqual({
      ok: false,
      error: "stack x is in none of the rollout's waves",
    });
  });
});
