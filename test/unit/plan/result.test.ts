/** `parseResultJson`: what the app accepts from a workflow's artifact, and `formatSummary`. */
import { describe, expect, it } from "vitest";
import { countSummary, formatSummary, parseResultJson, type ResultJson } from "../../../src/plan/result.js";
import { SHA } from "./helpers.js";

function valid(): ResultJson {
  return {
    version: 1,
    jobId: "job-01HZX",
    stack: "billing-database",
    operation: "plan",
    sha: SHA,
    outcome: "success",
    summary: { add: 1, change: 1, destroy: 0, replace: 1 },
    resources: [
      {
        address: "aws_db_instance.main",
        type: "aws_db_instance",
        action: "update",
        changedAttributes: ["instance_class"],
      },
      {
        address: 'aws_s3_bucket.b["my key"]',
        type: "aws_s3_bucket",
        action: "create",
        changedAttributes: [],
      },
      {
        address: "aws_instance.web",
        type: "aws_instance",
        action: "replace",
        changedAttributes: ["ami"],
        actionReason: "replace_because_cannot_update",
        previousAddress: "aws_instance.old",
      },
    ],
    estimatedCost: 12.5,
    text: "human-readable plan\n\twith a tab",
    drift: [
      {
        address: "aws_db_instance.main",
        type: "aws_db_instance",
        action: "update",
        changedAttributes: ["tags"],
      },
    ],
  };
}

/** A copy of the valid result with one change applied. */
function mutate(change: (r: Record<string, unknown>) => void): unknown {
  const r = JSON.parse(JSON.stringify(valid())) as Record<string, unknown>;
  change(r);
  return r;
}

function errorOf(raw: unknown): string {
  const r = parseResultJson(raw);
  expect(r.ok).toBe(false);
  return r.ok ? "" : r.error;
}

describe("parseResultJson", () => {
  it("accepts a valid result as it is", () => {
    expect(parseResultJson(valid())).toEqual({ ok: true, value: valid() });
    const minimal = mutate((r) => {
      delete r.estimatedCost;
      delete r.drift;
    });
    expect(parseResultJson(minimal)).toEqual({ ok: true, value: minimal });
  });

  it("refuses missing fields", () => {
    for (const key of [
      "version",
      "jobId",
      "stack",
      "operation",
      "sha",
      "outcome",
      "summary",
      "resources",
      "text",
    ]) {
      expect(errorOf(mutate((r) => delete r[key]))).toBe(
        `result.json is not valid: the field "${key}" is missing`,
      );
    }
    expect(
      errorOf(mutate((r) => delete (r.resources as Record<string, unknown>[])[0]?.changedAttributes)),
    ).toMatch(/resources\[0\].changedAttributes must be a list/);
  });

  it("refuses wrong types", () => {
    const cases: [(r: Record<string, unknown>) => void, RegExp][] = [
      [(r) => (r.version = 2), /version must be 1/],
      [(r) => (r.jobId = 7), /jobId must be a string, not a number/],
      [(r) => (r.jobId = "has space"), /jobId must be printable ASCII without spaces/],
      [(r) => (r.stack = ""), /stack must not be empty/],
      [(r) => (r.operation = "destroy"), /operation must be "plan" or "apply"/],
      [(r) => (r.sha = "abc"), /sha must be a full commit id/],
      [(r) => (r.sha = SHA.toUpperCase()), /sha must be a full commit id/],
      [(r) => (r.outcome = "ok"), /outcome must be "success" or "failure"/],
      [(r) => (r.summary = [1, 2]), /summary must be an object, not a list/],
      [(r) => ((r.summary as Record<string, unknown>).add = 1.5), /summary.add must be a whole number/],
      [
        (r) => ((r.summary as Record<string, unknown>).destroy = -1),
        /summary.destroy must be a whole number/,
      ],
      [(r) => (r.resources = {}), /resources must be a list, not an object/],
      [(r) => ((r.resources as unknown[])[1] = "x"), /resources\[1\] must be an object, not a string/],
      [
        (r) => ((r.resources as Record<string, unknown>[])[0]!.action = "explode"),
        /resources\[0\].action must be one of/,
      ],
      [
        (r) => ((r.resources as Record<string, unknown>[])[0]!.changedAttributes = [1]),
        /changedAttributes\[0\] must be a string/,
      ],
      [
        (r) => ((r.resources as Record<string, unknown>[])[2]!.previousAddress = 3),
        /resources\[2\].previousAddress must be a string/,
      ],
      [(r) => (r.text = ["a"]), /text must be a string, not a list/],
      [(r) => (r.estimatedCost = "12"), /estimatedCost must be a finite number/],
      [(r) => (r.estimatedCost = Number.POSITIVE_INFINITY), /estimatedCost must be a finite number/],
      [(r) => (r.drift = "none"), /drift must be a list/],
      [
        (r) => ((r.drift as Record<string, unknown>[])[0]!.type = null),
        /drift\[0\].type must be a string, not null/,
      ],
    ];
    for (const [change, message] of cases) expect(errorOf(mutate(change))).toMatch(message);
    expect(errorOf(null)).toMatch(/it must be a JSON object, not null/);
    expect(errorOf([])).toMatch(/it must be a JSON object, not a list/);
  });

  it("refuses unknown fields, at the top and in resources", () => {
    expect(errorOf(mutate((r) => (r.autoApprove = true)))).toMatch(/unknown field "autoApprove"/);
    expect(errorOf(mutate((r) => ((r.resources as Record<string, unknown>[])[0]!.values = {})))).toMatch(
      /resources\[0\] has an unknown field "values"/,
    );
    expect(errorOf(mutate((r) => ((r.summary as Record<string, unknown>).import = 1)))).toMatch(
      /summary has an unknown field/,
    );
  });

  it("refuses a summary that does not add up to the resources", () => {
    expect(errorOf(mutate((r) => ((r.summary as Record<string, unknown>).destroy = 1)))).toBe(
      "result.json is not valid: summary.destroy is 1 but the resources add up to 0",
    );
  });

  it("refuses oversize lists, text and strings", () => {
    const many = Array.from({ length: 50_001 }, (_, i) => ({
      address: `a.r${i}`,
      type: "a",
      action: "create",
      changedAttributes: [],
    }));
    expect(
      errorOf(
        mutate((r) => {
          r.resources = many;
          r.summary = { add: 50_001, change: 0, destroy: 0, replace: 0 };
        }),
      ),
    ).toMatch(/resources lists 50001 resources; at most 50000/);
    expect(errorOf(mutate((r) => (r.drift = many)))).toMatch(/drift lists 50001 resources/);
    expect(errorOf(mutate((r) => (r.text = "é".repeat(2_700_000))))).toMatch(
      /text is 5400000 bytes; at most 5242880/,
    );
    expect(
      errorOf(mutate((r) => ((r.resources as Record<string, unknown>[])[0]!.address = "a".repeat(4097)))),
    ).toMatch(/address is 4097 characters long; at most 4096/);
    expect(errorOf(mutate((r) => (r.jobId = "j".repeat(201))))).toMatch(/jobId is 201 characters long/);
    expect(
      errorOf(
        mutate(
          (r) => ((r.resources as Record<string, unknown>[])[0]!.changedAttributes = Array(4097).fill("x")),
        ),
      ),
    ).toMatch(/changedAttributes has 4097 entries/);
    // The limits themselves are allowed.
    expect(parseResultJson(mutate((r) => (r.text = "a".repeat(5 * 1024 * 1024)))).ok).toBe(true);
  });

  it("refuses control characters that would garble what people read", () => {
    expect(errorOf(mutate((r) => ((r.resources as Record<string, unknown>[])[0]!.address = "a\nb")))).toMatch(
      /address contains a control character/,
    );
    expect(errorOf(mutate((r) => (r.text = "colour \u001b[31mred")))).toMatch(
      /text contains a control character/,
    );
  });
});

describe("formatSummary and countSummary", () => {
  it("formats counts, adding replacements only when there are some", () => {
    expect(formatSummary({ add: 2, change: 1, destroy: 0, replace: 0 })).toBe("+2 ~1 -0");
    expect(formatSummary({ add: 0, change: 0, destroy: 3, replace: 1 })).toBe("+0 ~0 -3 ±1");
  });

  it("counts each action once and ignores the rest", () => {
    const actions = ["create", "create", "update", "delete", "replace", "no-op", "read", "forget", "import"];
    expect(countSummary(actions.map((action) => ({ action })))).toEqual({
      add: 2,
      change: 1,
      destroy: 1,
      replace: 1,
    });
  });
});
