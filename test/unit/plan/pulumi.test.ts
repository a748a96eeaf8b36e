/** Pulumi previews (`pulumi preview --json`), from samples written after the documented digest format. */
import { describe, expect, it } from "vitest";
import { parseUrn, topLevelProperty } from "../../../src/plan/pulumi.js";
import { parseResultJson } from "../../../src/plan/result.js";
import { summarizePlan } from "../../../src/plan/summarize.js";
import { META, PULUMI_DIR, readJson } from "./helpers.js";

function summarize(file: string) {
  const r = summarizePlan(readJson(PULUMI_DIR + file), META);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

describe("Pulumi previews", () => {
  it("maps create, update and delete steps; leaves out the root stack, sames and reads", () => {
    const v = summarize("update.json");
    expect(v.resources).toEqual([
      {
        address: "aws:s3/bucket:Bucket::assets",
        type: "aws:s3/bucket:Bucket",
        action: "create",
        changedAttributes: [],
      },
      {
        address: "aws:rds/instance:Instance::orders",
        type: "aws:rds/instance:Instance",
        action: "update",
        changedAttributes: ["instanceClass", "tags"],
      },
      {
        address: "aws:sqs/queue:Queue::legacy-events",
        type: "aws:sqs/queue:Queue",
        action: "delete",
        changedAttributes: [],
      },
    ]);
    expect(v.summary).toEqual({ add: 1, change: 1, destroy: 1, replace: 0 });
    expect(v.text).toContain('~ instanceClass = "db.t3.micro" -> "db.t3.small"');
    expect(v.text).not.toContain("__defaults");
    expect(v.text).not.toContain("ec2/vpc");
    expect(parseResultJson(JSON.parse(JSON.stringify(v)))).toEqual({ ok: true, value: v });
  });

  it("counts a replacement's three steps once, and keeps same-named children of different parents apart", () => {
    const v = summarize("replace.json");
    expect(v.summary).toEqual({ add: 2, change: 0, destroy: 0, replace: 1 });
    expect(v.resources.map((r) => [r.address, r.action])).toEqual([
      ["web:index:Site$aws:ec2/instance:Instance::site-server", "replace"],
      ["web:index:Site$aws:s3/bucket:Bucket::logs", "create"],
      ["web:index:Api$aws:s3/bucket:Bucket::logs", "create"],
    ]);
    expect(v.resources[0]?.changedAttributes).toEqual(["ami"]);
    expect(v.text).toContain('~ ami = "ami-0aaa1111" -> "ami-0bbb2222" # forces replacement');
  });

  it("never shows a secret and names unknown values", () => {
    const v = summarize("replace.json");
    const update = summarize("update.json");
    for (const out of [JSON.stringify(v), JSON.stringify(update)]) expect(out).not.toContain("[secret]");
    const created = summarizePlan(
      {
        steps: [
          {
            op: "create",
            urn: "urn:pulumi:dev::p::aws:iam/accessKey:AccessKey::ci",
            newState: {
              type: "aws:iam/accessKey:AccessKey",
              inputs: {
                user: "ci",
                pgpKey: {
                  "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
                  plaintext: '"S3CRET-PLAIN"',
                },
                arn: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
              },
            },
          },
        ],
      },
      META,
    );
    if (!created.ok) throw new Error(created.error);
    expect(JSON.stringify(created.value)).not.toContain("S3CRET-PLAIN");
    expect(created.value.text).toContain("+ pgpKey = (sensitive value)");
    expect(created.value.text).toContain("+ arn    = (known after apply)");
  });

  it("reports a failed preview without echoing its messages", () => {
    const r = summarizePlan(readJson(`${PULUMI_DIR}error.json`), META);
    expect(r).toEqual({
      ok: false,
      error:
        "the preview failed: pulumi reported 2 errors; no changes can be summarised (see the workflow run's log)",
    });
  });

  it("has nothing to do when every step is a same", () => {
    const v = summarize("no-changes.json");
    expect(v.resources).toEqual([]);
    expect(v.text).toBe("No changes. The stack matches the program.");
  });

  it("refuses unknown ops and malformed steps", () => {
    const steps = (op: string, urn = "urn:pulumi:dev::p::aws:s3/bucket:Bucket::b") => ({
      steps: [{ op, urn }],
    });
    const error = (doc: unknown) => {
      const r = summarizePlan(doc, META);
      return r.ok ? "" : r.error;
    };
    expect(error(steps("teleport"))).toMatch(/unknown op "teleport"/);
    expect(error(steps("create", "arn:aws:s3:::b"))).toMatch(/is not a Pulumi URN/);
    expect(error({ steps: [{ op: "create" }] })).toMatch(/steps\[0\] needs a string "urn" and "op"/);
    expect(error({ steps: "x", changeSummary: {} })).toMatch(/steps is not a list/);
    expect(error({ changeSummary: { create: 2, same: 1 } })).toMatch(
      /changeSummary reports 2 changes but the steps list none/,
    );
  });

  it("reads URNs and property paths", () => {
    expect(parseUrn("urn:pulumi:dev::shop::a:b:C$aws:s3/bucket:Bucket::name::with::colons")).toEqual({
      qualifiedType: "a:b:C$aws:s3/bucket:Bucket",
      type: "aws:s3/bucket:Bucket",
      name: "name::with::colons",
    });
    expect(parseUrn("urn:pulumi:dev::shop")).toBeUndefined();
    expect(topLevelProperty("tags.Name")).toBe("tags");
    expect(topLevelProperty("ingress[0].cidr")).toBe("ingress");
    expect(topLevelProperty('["a.b"].c')).toBe("a.b");
    expect(topLevelProperty("plain")).toBe("plain");
  });
});
