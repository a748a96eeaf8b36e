/** The summarising rules on small plans built from the documented format. */
import { describe, expect, it } from "vitest";
import { summarizePlan } from "../../../src/plan/summarize.js";
import { META, rc, tfPlan } from "./helpers.js";

function summarize(plan: unknown) {
  const r = summarizePlan(plan, META);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

const instance = (ami: string) => ({ ami, id: "i-1", tags: { team: "a" } });

describe("actions and counts", () => {
  it("counts a replacement in either order once, as a replacement only", () => {
    const v = summarize(
      tfPlan({
        changes: [
          rc("test_instance.dbc", {
            actions: ["delete", "create"],
            before: instance("a"),
            after: { ami: "b", tags: { team: "a" } },
            after_unknown: { id: true },
          }),
          rc("test_instance.cbd", {
            actions: ["create", "delete"],
            before: instance("a"),
            after: { ami: "c", tags: { team: "a" } },
            after_unknown: { id: true },
          }),
        ],
      }),
    );
    expect(v.summary).toEqual({ add: 0, change: 0, destroy: 0, replace: 2 });
    expect(v.resources.map((r) => r.action)).toEqual(["replace", "replace"]);
    expect(v.resources[0]?.changedAttributes).toEqual(["ami", "id"]);
    expect(v.text).toContain('-/+ resource "test_instance" "dbc"');
    expect(v.text).toContain('+/- resource "test_instance" "cbd"');
  });

  it("ignores data sources and no-ops", () => {
    const v = summarize(
      tfPlan({
        changes: [
          rc("data.aws_ami.latest", {
            actions: ["read"],
            after: { id: "ami-1" },
            action_reason: "read_because_config_unknown",
          }),
          rc("data.aws_caller_identity.me", {
            actions: ["no-op"],
            mode: "data",
            before: { id: "1" },
            after: { id: "1" },
          }),
          rc("test_instance.same", { actions: ["no-op"], before: instance("a"), after: instance("a") }),
          rc("test_instance.new", { actions: ["create"], after: { ami: "a" }, after_unknown: { id: true } }),
        ],
      }),
    );
    expect(v.resources.map((r) => r.address)).toEqual(["test_instance.new"]);
    expect(v.summary).toEqual({ add: 1, change: 0, destroy: 0, replace: 0 });
    expect(v.text).toContain("data.aws_ami.latest will be read during apply");
    expect(v.text).not.toContain("test_instance.same");
  });

  it("lists forget and import without counting them as changes to infrastructure", () => {
    const v = summarize(
      tfPlan({
        changes: [
          rc("test_instance.kept", { actions: ["forget"], before: instance("a") }),
          rc("test_instance.adopted", {
            actions: ["no-op"],
            before: instance("a"),
            after: instance("a"),
            importing: { id: "i-9" },
          }),
          rc("test_instance.adopted_and_changed", {
            actions: ["update"],
            before: instance("a"),
            after: instance("b"),
            importing: { id: "i-8" },
          }),
        ],
      }),
    );
    expect(v.resources.map((r) => [r.address, r.action])).toEqual([
      ["test_instance.kept", "forget"],
      ["test_instance.adopted", "import"],
      ["test_instance.adopted_and_changed", "update"],
    ]);
    expect(v.summary).toEqual({ add: 0, change: 1, destroy: 0, replace: 0 });
    expect(v.text).toContain("test_instance.kept will no longer be managed by Terraform");
    expect(v.text).toContain("test_instance.adopted will be imported");
    expect(v.text).toContain("Plan: 1 to import, 0 to add, 1 to change, 0 to destroy, 1 to forget.");
  });

  it("shows a deposed object's destruction apart from the current object", () => {
    const v = summarize(
      tfPlan({
        changes: [rc("test_instance.a", { actions: ["delete"], before: instance("a"), deposed: "00000001" })],
      }),
    );
    expect(v.resources).toEqual([
      { address: "test_instance.a", type: "test_instance", action: "delete", changedAttributes: [] },
    ]);
    expect(v.text).toContain("# test_instance.a (deposed object 00000001) will be destroyed");
  });

  it("reports a resource deleted outside Terraform as drift, not as a planned change", () => {
    const v = summarize(
      tfPlan({
        drift: [rc("test_instance.gone", { actions: ["delete"], before: instance("a") })],
        changes: [
          rc("test_instance.gone", { actions: ["create"], after: { ami: "a" }, after_unknown: { id: true } }),
        ],
      }),
    );
    expect(v.drift).toEqual([
      { address: "test_instance.gone", type: "test_instance", action: "delete", changedAttributes: [] },
    ]);
    expect(v.summary.add).toBe(1);
    expect(v.text).toContain("# test_instance.gone has been deleted outside Terraform");
  });
});

describe("changed attributes", () => {
  it("names top-level attributes that differ, are unknown, or change sensitivity; never values", () => {
    const v = summarize(
      tfPlan({
        changes: [
          rc("test_instance.a", {
            actions: ["update"],
            before: {
              same: "x",
              differs: "1",
              nested: { a: [1, 2] },
              unknown_later: "v",
              flips: "f",
              null_to_missing: null,
              gone: "g",
            },
            after: { same: "x", differs: "2", nested: { a: [1, 3] }, flips: "f", gone: null },
            after_unknown: { unknown_later: true, same: false, nested: { a: [false, false] } },
            before_sensitive: {},
            after_sensitive: { flips: true },
          }),
        ],
      }),
    );
    expect(v.resources[0]?.changedAttributes).toEqual([
      "differs",
      "flips",
      "gone",
      "nested",
      "unknown_later",
    ]);
    expect(v.text).toContain('~ unknown_later = "v" -> (known after apply)');
    expect(v.text).toContain('- gone          = "g" -> null');
    expect(v.text).toContain("# (2 unchanged attributes hidden)");
  });

  it("is empty for a create or a delete (the whole resource changes)", () => {
    const v = summarize(
      tfPlan({
        changes: [
          rc("test_instance.c", { actions: ["create"], after: instance("a") }),
          rc("test_instance.d", { actions: ["delete"], before: instance("a") }),
        ],
      }),
    );
    expect(v.resources.map((r) => r.changedAttributes)).toEqual([[], []]);
  });
});

describe("text", () => {
  it("cuts long values and keeps the text within its budget", () => {
    const long = "y".repeat(10_000);
    const changes = Array.from({ length: 2000 }, (_, i) =>
      rc(`test_instance.n${i}`, { actions: ["update"], before: { doc: long }, after: { doc: `${long}z` } }),
    );
    const r = summarizePlan(tfPlan({ changes }), META, { textBudgetBytes: 50_000 });
    if (!r.ok) throw new Error(r.error);
    expect(Buffer.byteLength(r.value.text)).toBeLessThanOrEqual(51_000);
    expect(r.value.text).not.toContain(long);
    expect(r.value.text).toContain("…");
    expect(r.value.text).toMatch(/\(\d+ more entries not shown: the text is cut/);
    expect(r.value.text.endsWith("Plan: 0 to add, 2000 to change, 0 to destroy.")).toBe(true);
    expect(r.value.resources).toHaveLength(2000);
  });

  it("shows output changes with unknown values", () => {
    const v = summarize(
      tfPlan({
        outputs: {
          endpoint: {
            actions: ["create"],
            before: null,
            after_unknown: true,
            before_sensitive: false,
            after_sensitive: false,
          },
          old: { actions: ["delete"], before: "was", after: null, after_unknown: false },
          same: { actions: ["no-op"], before: "s", after: "s", after_unknown: false },
        },
      }),
    );
    expect(v.text).toContain("Changes to Outputs:");
    expect(v.text).toContain("+ endpoint = (known after apply)");
    expect(v.text).toContain('- old      = "was" -> null');
    expect(v.text).not.toContain("same");
    expect(v.text).toContain("No changes to infrastructure");
  });

  it("keeps control characters from the plan out of the text", () => {
    const v = summarize(
      tfPlan({
        changes: [
          rc("test_instance.b", {
            actions: ["no-op"],
            previous_address: "test_instance.a\u001b[2J",
            before: {},
            after: {},
          }),
        ],
      }),
    );
    expect(v.text).toContain("# test_instance.a\ufffd[2J has moved to test_instance.b");
  });

  it("notes an incomplete plan", () => {
    const v = summarize(tfPlan({ extra: { complete: false } }));
    expect(v.text).toContain("this plan is incomplete");
  });
});

describe("input that is not a plan it can summarise", () => {
  const error = (plan: unknown) => {
    const r = summarizePlan(plan, META);
    expect(r.ok).toBe(false);
    return r.ok ? "" : r.error;
  };

  it("refuses an errored plan with the reason", () => {
    expect(error(tfPlan({ extra: { errored: true } }))).toBe(
      "the plan failed: terraform reported errored: true; no changes can be summarised",
    );
  });

  it("refuses things that are not plans", () => {
    for (const input of [null, 42, "plan", [], {}, { hello: "world" }]) {
      expect(error(input)).toMatch(/^the input is not a plan/);
    }
    expect(error({ format_version: "1.0", values: { root_module: {} } })).toMatch(
      /Terraform state, not a plan/,
    );
    expect(error({ format_version: "1.0", terraform_version: "1.9.0" })).toMatch(/holds no plan/);
  });

  it("refuses a format of another major version", () => {
    expect(error(tfPlan({ extra: { format_version: "2.0" } }))).toMatch(
      /unsupported plan format_version "2.0"/,
    );
  });

  it("refuses actions it cannot classify, naming the resource", () => {
    expect(error(tfPlan({ changes: [rc("test_instance.a", { actions: ["delete", "forget"] })] }))).toMatch(
      /resource_changes\[0\] \(test_instance.a\): unknown actions \["delete","forget"\]/,
    );
    expect(error(tfPlan({ changes: [{ address: "x.y", change: { actions: "create" } }] }))).toMatch(
      /not a list of action names/,
    );
    expect(error(tfPlan({ changes: [{ change: { actions: ["create"] } }] }))).toMatch(/address is missing/);
    expect(error(tfPlan({ changes: { a: 1 } as unknown as unknown[] }))).toMatch(
      /resource_changes is not a list/,
    );
  });

  it("refuses more changes than result.json can hold", () => {
    const changes = Array.from({ length: 50_001 }, (_, i) =>
      rc(`test_instance.r${i}`, { actions: ["delete"], before: {} }),
    );
    expect(error(tfPlan({ changes }))).toMatch(/changes 50001 resources; result.json holds at most 50000/);
  });
});
