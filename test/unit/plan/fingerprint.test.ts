/** Plan fingerprints: stable across what does not matter, different for what does. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planFingerprint } from "../../../src/plan/fingerprint.js";
import { summarizePlan } from "../../../src/plan/summarize.js";
import { META, rc, tfPlan } from "./helpers.js";

const change = fc.record({
  address: fc.oneof(fc.stringMatching(/^[a-z_]{1,8}\.[a-z0-9_]{1,6}$/), fc.string({ maxLength: 12 })),
  action: fc.constantFrom("create", "update", "delete", "replace", "forget", "import"),
});
const quiet = fc.record({
  address: fc.stringMatching(/^[a-z_]{1,8}\.[a-z0-9_]{1,6}$/),
  action: fc.constantFrom("no-op", "read"),
});

describe("planFingerprint", () => {
  it("is a sha256 hex digest", () => {
    expect(planFingerprint([{ address: "a.b", action: "create" }])).toMatch(/^[0-9a-f]{64}$/);
  });

  it("does not depend on order, duplicates, no-ops or reads", () => {
    fc.assert(
      fc.property(
        fc.array(change, { maxLength: 20 }),
        fc.array(quiet, { maxLength: 5 }),
        fc.nat(),
        (changes, quiets, seed) => {
          const base = planFingerprint(changes);
          const shuffled = [...changes, ...changes.slice(0, 2), ...quiets]
            .map((c, i) => ({ c, k: (i * 7919 + seed) % 104729 }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.c);
          return planFingerprint(shuffled) === base;
        },
      ),
    );
  });

  it("treats both replace orders and the word replace alike", () => {
    const fp = (action: string) => planFingerprint([{ address: "aws_instance.web", action }]);
    expect(fp("delete,create")).toBe(fp("replace"));
    expect(fp("create,delete")).toBe(fp("replace"));
    expect(fp("create-delete")).toBe(fp("replace"));
  });

  it("changes when an action or an address changes, or a change is added or removed", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(change, { minLength: 1, maxLength: 10, selector: (c) => c.address }),
        (changes) => {
          const base = planFingerprint(changes);
          const [first, ...rest] = changes;
          if (first === undefined) return true;
          const otherAction = first.action === "create" ? "delete" : "create";
          return (
            planFingerprint([{ ...first, action: otherAction }, ...rest]) !== base &&
            planFingerprint([{ ...first, address: `${first.address}x` }, ...rest]) !== base &&
            planFingerprint(rest) !== base &&
            planFingerprint([...changes, { address: `${first.address}-new`, action: "create" }]) !== base
          );
        },
      ),
    );
  });

  it("cannot be forged by addresses holding separators", () => {
    const a = planFingerprint([{ address: "x create\ny", action: "delete" }]);
    const b = planFingerprint([
      { address: "x", action: "create" },
      { address: "y", action: "delete" },
    ]);
    expect(a).not.toBe(b);
  });

  it("is the same for two plans with the same changes and different values or refreshes", () => {
    const plan = (ami: string, extra: unknown[]) =>
      summarizePlan(
        tfPlan({
          changes: [
            rc("test_instance.a", { actions: ["update"], before: { ami: "old" }, after: { ami } }),
            rc("test_instance.b", {
              actions: ["delete", "create"],
              before: { ami: "x" },
              after: { ami: "y" },
            }),
            ...extra,
          ],
        }),
        META,
      );
    const first = plan("new", []);
    const second = plan("newer", [rc("test_instance.c", { actions: ["no-op"], before: {}, after: {} })]);
    const third = plan("new", [rc("test_instance.c", { actions: ["delete"], before: {} })]);
    if (!first.ok || !second.ok || !third.ok) throw new Error("summarize failed");
    expect(planFingerprint(second.value.resources)).toBe(planFingerprint(first.value.resources));
    expect(planFingerprint(third.value.resources)).not.toBe(planFingerprint(first.value.resources));
  });
});
