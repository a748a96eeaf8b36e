/**
 * No sensitive value may reach result.json. The sensitive values are collected from the plan
 * itself (every value under a `true` in its sensitivity mask, and sensitive variables and
 * outputs), then the whole JSON output is searched for each.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { summarizePlan } from "../../../src/plan/summarize.js";
import { META, rc, readJson, TESTDATA_DIR, tfPlan } from "./helpers.js";

type Json = Record<string, unknown>;

/** Every scalar leaf of `value` at or under a `true` in `mask`. */
function sensitiveLeaves(value: unknown, mask: unknown, under = false, out: string[] = []): string[] {
  const hidden = under || mask === true;
  if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      const child = typeof mask === "object" && mask !== null ? (mask as Json)[k] : undefined;
      sensitiveLeaves(v, child, hidden, out);
    }
  } else if (hidden && value !== null && value !== undefined) {
    out.push(String(value));
  }
  return out;
}

/** All sensitive values a plan document holds, wherever the format marks them. */
function collectSensitive(plan: Json): string[] {
  const found: string[] = [];
  for (const list of [plan.resource_changes, plan.resource_drift]) {
    for (const r of (list as Json[] | undefined) ?? []) {
      const c = r.change as Json;
      sensitiveLeaves(c.before, c.before_sensitive, false, found);
      sensitiveLeaves(c.after, c.after_sensitive, false, found);
    }
  }
  for (const c of Object.values((plan.output_changes as Record<string, Json> | undefined) ?? {})) {
    sensitiveLeaves(c.before, c.before_sensitive, false, found);
    sensitiveLeaves(c.after, c.after_sensitive, false, found);
  }
  const planned = plan.planned_values as Json | undefined;
  for (const o of Object.values((planned?.outputs as Record<string, Json> | undefined) ?? {})) {
    sensitiveLeaves(o.value, o.sensitive === true, false, found);
  }
  for (const r of ((planned?.root_module as Json | undefined)?.resources as Json[] | undefined) ?? []) {
    sensitiveLeaves(r.values, r.sensitive_values, false, found);
  }
  const declared = ((plan.configuration as Json | undefined)?.root_module as Json | undefined)?.variables as
    | Record<string, Json>
    | undefined;
  for (const [name, v] of Object.entries(declared ?? {})) {
    if (v.sensitive !== true) continue;
    sensitiveLeaves(v.default, true, false, found);
    sensitiveLeaves((plan.variables as Record<string, Json> | undefined)?.[name]?.value, true, false, found);
  }
  return [...new Set(found)];
}

function expectNoneLeaked(plan: Json, minimum = 1): string {
  const secrets = collectSensitive(plan);
  expect(secrets.length).toBeGreaterThanOrEqual(minimum);
  const result = summarizePlan(plan, META);
  if (!result.ok) throw new Error(result.error);
  const output = JSON.stringify(result.value, null, 2);
  for (const secret of secrets) {
    expect(output).not.toContain(secret);
    expect(output).not.toContain(JSON.stringify(secret).slice(1, -1));
  }
  return result.value.text;
}

describe("sensitive values", () => {
  it("sensitive-values.json: the sensitive ami, output and variable never appear", () => {
    const plan = readJson(`${TESTDATA_DIR}sensitive-values.json`) as Json;
    expect(collectSensitive(plan)).toContain("boop");
    const text = expectNoneLeaked(plan);
    expect(text).toContain("+ ami = (sensitive value)");
    expect(text).toContain("+ test = (sensitive value)");
  });

  it("the collector finds what it is given (so the check above can fail)", () => {
    const leaked = tfPlan({
      changes: [
        rc("test_instance.a", { actions: ["create"], after: { ami: "visible-1" }, after_sensitive: {} }),
      ],
    });
    expect(collectSensitive(leaked)).toEqual([]);
    const marked = tfPlan({
      changes: [
        rc("test_instance.a", {
          actions: ["create"],
          after: { ami: "hidden-1" },
          after_sensitive: { ami: true },
        }),
      ],
    });
    expect(collectSensitive(marked)).toEqual(["hidden-1"]);
  });

  it("hides values at any depth, on both sides of an update, in drift and outputs", () => {
    const long = `S-LONG-${"x".repeat(500)}`;
    const plan = tfPlan({
      changes: [
        rc("aws_db_instance.main", {
          actions: ["update"],
          before: {
            password: "S-pw-old",
            tags: { env: "dev", token: "S-tag-old" },
            rules: [
              { port: 80, secret: "S-rule-0" },
              { port: 443, secret: "S-rule-1" },
            ],
            note: long,
            became_secret: "S-now-hidden",
            instance_class: "db.t3.micro",
          },
          after: {
            password: "S-pw-new",
            tags: { env: "prod", token: "S-tag-new" },
            rules: [{ port: 80, secret: "S-rule-0b" }],
            note: `${long}!`,
            became_secret: "S-now-hidden-2",
            instance_class: "db.t3.small",
          },
          before_sensitive: {
            password: true,
            tags: { token: true },
            rules: [{ secret: true }, { secret: true }],
            note: true,
          },
          after_sensitive: {
            password: true,
            tags: { token: true },
            rules: [{ secret: true }],
            note: true,
            became_secret: true,
          },
        }),
        rc("aws_secret.whole", {
          actions: ["delete", "create"],
          before: { value: "S-whole-before", name: "S-name-1" },
          after: { value: "S-whole-after", name: "S-name-2" },
          before_sensitive: true,
          after_sensitive: true,
        }),
        rc("aws_key.created", {
          actions: ["create"],
          after: { key: { alg: "rsa", material: "S-material" } },
          after_sensitive: { key: { material: true } },
        }),
        rc("aws_key.shape", {
          // The mask has marks inside an attribute that is a plain string: hide it whole.
          actions: ["update"],
          before: { blob: "S-shape-before" },
          after: { blob: "S-shape-after" },
          before_sensitive: { blob: { inner: true } },
          after_sensitive: { blob: { inner: true } },
        }),
      ],
      drift: [
        rc("aws_db_instance.main", {
          actions: ["update"],
          before: { password: "S-drift-old", size: 1 },
          after: { password: "S-drift-new", size: 2 },
          before_sensitive: { password: true },
          after_sensitive: { password: true },
        }),
      ],
      outputs: {
        conn: {
          actions: ["update"],
          before: { host: "db", pass: "S-out-old" },
          after: { host: "db2", pass: "S-out-new" },
          after_unknown: false,
          before_sensitive: { pass: true },
          after_sensitive: { pass: true },
        },
      },
    });
    const text = expectNoneLeaked(plan, 15);
    expect(text).toContain(
      'tags           = { env = "dev", token = (sensitive value) } -> { env = "prod", token = (sensitive value) }',
    );
    expect(text).toContain("became_secret  = (sensitive value) -> (sensitive value)");
    expect(text).toContain('instance_class = "db.t3.micro" -> "db.t3.small"');
    expect(text).toContain('+ key = { alg = "rsa", material = (sensitive value) }');
  });

  it("never prints a value marked sensitive, whatever its shape (property)", () => {
    type Tree = { leaf: { secret: boolean; n: number } } | { list: Tree[] } | { map: Record<string, Tree> };
    const tree: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
      tree: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.record({ leaf: fc.record({ secret: fc.boolean(), n: fc.nat(1000) }) }),
        fc.record({ list: fc.array(tie("tree"), { maxLength: 3 }) }),
        fc.record({ map: fc.dictionary(fc.stringMatching(/^[a-z]{1,4}$/), tie("tree"), { maxKeys: 3 }) }),
      ),
    })).tree;
    let counter = 0;
    const build = (t: Tree, tag: string): { value: unknown; mask: unknown } => {
      if ("leaf" in t) {
        counter++;
        return t.leaf.secret
          ? { value: `SECRET-${tag}-${counter}`, mask: true }
          : { value: `public-${tag}-${counter}`, mask: false };
      }
      if ("list" in t) {
        const parts = t.list.map((c) => build(c, tag));
        return { value: parts.map((p) => p.value), mask: parts.map((p) => p.mask) };
      }
      const entries = Object.entries(t.map).map(([k, c]) => [k, build(c, tag)] as const);
      return {
        value: Object.fromEntries(entries.map(([k, p]) => [k, p.value])),
        mask: Object.fromEntries(entries.map(([k, p]) => [k, p.mask])),
      };
    };
    fc.assert(
      fc.property(
        fc.dictionary(fc.stringMatching(/^[a-z]{1,5}$/), fc.tuple(tree, tree), { minKeys: 1, maxKeys: 4 }),
        (attrs) => {
          const before: Record<string, unknown> = {};
          const after: Record<string, unknown> = {};
          const beforeMask: Record<string, unknown> = {};
          const afterMask: Record<string, unknown> = {};
          for (const [k, [b, a]] of Object.entries(attrs)) {
            const bb = build(b, "b");
            const aa = build(a, "a");
            before[k] = bb.value;
            beforeMask[k] = bb.mask;
            after[k] = aa.value;
            afterMask[k] = aa.mask;
          }
          const plan = tfPlan({
            changes: [
              rc("test_instance.updated", {
                actions: ["update"],
                before,
                after,
                before_sensitive: beforeMask,
                after_sensitive: afterMask,
              }),
              rc("test_instance.created", { actions: ["create"], after, after_sensitive: afterMask }),
            ],
            outputs: {
              out: {
                actions: ["create"],
                before: null,
                after,
                after_sensitive: afterMask,
                after_unknown: false,
              },
            },
          });
          const result = summarizePlan(plan, META);
          if (!result.ok) return false;
          return !JSON.stringify(result.value).includes("SECRET-");
        },
      ),
      { numRuns: 300 },
    );
  });
});
