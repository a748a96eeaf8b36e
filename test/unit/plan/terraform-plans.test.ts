/**
 * Every real plan in ../shared/testdata/terraform-plans, with expectations computed here from
 * Terraform's JSON output format documentation (not from the summariser's code):
 * - `resource_changes[].change.actions`: ["create"] add, ["update"] change, ["delete"] destroy,
 *   ["delete","create"] / ["create","delete"] replace; ["no-op"] and ["read"] change nothing;
 *   `mode: "data"` entries are data sources, not infrastructure.
 * - changed attributes of an update/replace: top-level keys whose `before` and `after` differ,
 *   or that `after_unknown` marks unknown.
 * - `resource_drift` uses the same structure; `errored: true` marks a failed plan.
 */
import { describe, expect, it } from "vitest";
import { parseResultJson } from "../../../src/plan/result.js";
import { summarizePlan } from "../../../src/plan/summarize.js";
import { META, readJson, TESTDATA_DIR, testdataFiles } from "./helpers.js";

type Json = Record<string, unknown>;

const ACTION_OF: Record<string, string> = {
  create: "create",
  update: "update",
  delete: "delete",
  "delete,create": "replace",
  "create,delete": "replace",
};

function containsTrue(mask: unknown): boolean {
  if (mask === true) return true;
  return typeof mask === "object" && mask !== null && Object.values(mask).some(containsTrue);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (typeof v === "object" && v !== null) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Json)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v ?? null);
}

function expectedAttributes(change: Json): string[] {
  const before = (change.before ?? {}) as Json;
  const after = (change.after ?? {}) as Json;
  const unknown = (change.after_unknown ?? {}) as Json;
  const keys = new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(unknown)]);
  return [...keys]
    .filter((k) => containsTrue(unknown[k]) || canonical(before[k]) !== canonical(after[k]))
    .sort();
}

function expectedResources(
  entries: unknown,
): { address: string; action: string; changedAttributes: string[] }[] {
  return ((entries as Json[] | undefined) ?? [])
    .filter((r) => r.mode !== "data")
    .flatMap((r) => {
      const change = r.change as Json;
      const action = ACTION_OF[(change.actions as string[]).join(",")];
      if (action === undefined) return [];
      const partial = action === "update" || action === "replace";
      return [
        {
          address: r.address as string,
          action,
          changedAttributes: partial ? expectedAttributes(change) : [],
        },
      ];
    });
}

describe("every plan in the testdata folder", () => {
  const files = testdataFiles();

  it("finds the plans", () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
  });

  for (const file of files) {
    it(file, () => {
      const plan = readJson(TESTDATA_DIR + file) as Json;
      const result = summarizePlan(plan, META);

      if (plan.errored === true) {
        expect(result).toEqual({
          ok: false,
          error: "the plan failed: terraform reported errored: true; no changes can be summarised",
        });
        return;
      }
      if (!result.ok) throw new Error(result.error);
      const value = result.value;

      const expected = expectedResources(plan.resource_changes);
      expect(
        value.resources.map((r) => ({
          address: r.address,
          action: r.action,
          changedAttributes: r.changedAttributes,
        })),
      ).toEqual(expected);
      expect(value.summary).toEqual({
        add: expected.filter((r) => r.action === "create").length,
        change: expected.filter((r) => r.action === "update").length,
        destroy: expected.filter((r) => r.action === "delete").length,
        replace: expected.filter((r) => r.action === "replace").length,
      });

      const drift = expectedResources(plan.resource_drift);
      if (drift.length > 0) {
        expect(
          value.drift?.map((r) => ({
            address: r.address,
            action: r.action,
            changedAttributes: r.changedAttributes,
          })),
        ).toEqual(drift);
      } else {
        expect(value.drift).toBeUndefined();
      }

      // previous_address and action_reason travel with the resource.
      for (const entry of (plan.resource_changes as Json[] | undefined) ?? []) {
        const listed = value.resources.find((r) => r.address === entry.address);
        if (listed === undefined) continue;
        expect(listed.previousAddress).toBe(entry.previous_address);
        expect(listed.actionReason).toBe(entry.action_reason);
        expect(listed.type).toBe(entry.type);
      }

      // The text names every change, and the app accepts the whole result.
      for (const r of value.resources) expect(value.text).toContain(`# ${r.address} `);
      expect(parseResultJson(JSON.parse(JSON.stringify(value)))).toEqual({ ok: true, value });
    });
  }
});

describe("what the documentation says about particular plans", () => {
  const summarize = (file: string) => {
    const r = summarizePlan(readJson(TESTDATA_DIR + file), META);
    if (!r.ok) throw new Error(r.error);
    return r.value;
  };

  it("requires-replace: a replacement caused by ami, with the id unknown after apply", () => {
    const v = summarize("requires-replace.json");
    expect(v.summary).toEqual({ add: 0, change: 0, destroy: 0, replace: 1 });
    expect(v.resources[0]).toMatchObject({ action: "replace", changedAttributes: ["ami", "id"] });
    expect(v.text).toMatch(/-\/\+ resource "test_instance" "test"/);
    expect(v.text).toMatch(/ami += "bar" -> "force-replace" # forces replacement/);
    expect(v.text).toMatch(/id += "placeholder" -> \(known after apply\)/);
  });

  it("tfjson-action_reason: a tainted resource is replaced and the text says why", () => {
    const v = summarize("tfjson-action_reason.json");
    expect(v.resources[0]).toMatchObject({ action: "replace", actionReason: "replace_because_tainted" });
    expect(v.text).toContain("null_resource.example is tainted, so must be replaced");
  });

  it("basic-delete: the delete reason is shown", () => {
    const v = summarize("basic-delete.json");
    expect(v.text).toContain("# (because test_instance.test-delete is not in configuration)");
    expect(v.text).toContain("Plan: 0 to add, 1 to change, 1 to destroy.");
  });

  it("moved: a move with an update lists the previous address", () => {
    const v = summarize("moved.json");
    expect(v.resources).toEqual([
      {
        address: "test_instance.baz",
        type: "test_instance",
        action: "update",
        changedAttributes: ["ami"],
        previousAddress: "test_instance.foo",
      },
    ]);
    expect(v.text).toContain("# (moved from test_instance.foo)");
  });

  it("multi-resource-update: a pure move is shown as moved, not as a change", () => {
    const v = summarize("multi-resource-update.json");
    expect(v.resources.map((r) => r.address)).toEqual(["test_instance.test[1]"]);
    expect(v.text).toContain("# test_instance.test has moved to test_instance.test[0]");
    expect(v.summary).toEqual({ add: 1, change: 0, destroy: 0, replace: 0 });
  });

  it("drift: the change made outside Terraform is reported apart from the planned changes", () => {
    const v = summarize("drift.json");
    expect(v.drift).toEqual([
      {
        address: "test_instance.should_refresh",
        type: "test_instance",
        action: "update",
        changedAttributes: ["ami"],
      },
    ]);
    const driftAt = v.text.indexOf("test_instance.should_refresh has changed outside Terraform");
    expect(driftAt).toBeGreaterThanOrEqual(0);
    expect(driftAt).toBeLessThan(v.text.indexOf("Terraform will perform the following actions:"));
    expect(v.text).toContain('ami = "refresh-me" -> "refreshed"');
  });

  it("tfjson-basic: the data source read is not counted", () => {
    const v = summarize("tfjson-basic.json");
    expect(v.resources.some((r) => r.address.startsWith("data."))).toBe(false);
    expect(v.summary.add).toBe(7);
    expect(v.text).toContain("+ interpolated      = (known after apply)");
  });

  it("tfjson-no_changes and basic-update: nothing to do", () => {
    for (const file of ["tfjson-no_changes.json", "basic-update.json"]) {
      const v = summarize(file);
      expect(v.resources).toEqual([]);
      expect(v.summary).toEqual({ add: 0, change: 0, destroy: 0, replace: 0 });
    }
    expect(summarize("basic-update.json").text).toBe(
      "No changes. Your infrastructure matches the configuration.",
    );
  });

  it("modules: addresses keep their module path", () => {
    const v = summarize("nested-modules.json");
    expect(v.resources[0]?.address).toBe("module.my_module.module.more.test_instance.test");
    expect(v.resources[0]?.type).toBe("test_instance");
  });
});
