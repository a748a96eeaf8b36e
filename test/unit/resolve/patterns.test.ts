import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfigFiles, mergeConfigSets } from "../../../src/config/load.js";
import { loadConfigDir } from "../../../src/config/load-dir.js";
import type { ConfigSet, Stack } from "../../../src/config/types.js";
import { evaluateGate } from "../../../src/engine/gates.js";
import { buildPolicyIndex, resolveStack } from "../../../src/engine/resolve.js";
import { stepsLine } from "../../../src/engine/steps.js";
import { packageRoot } from "../../../src/paths.js";

/** Each shipped pattern in policies/examples/ resolves to the behaviour the seed describes. */
let platform: ConfigSet;
let examples: Map<string, ConfigSet>;

function stack(name: string, kind: string, environment: string): Stack {
  return loadConfigFiles([
    {
      path: "stacks.yml",
      level: "repository",
      content: `apiVersion: flowgate/v1\nkind: Stack\nmetadata: { name: ${name} }\nspec: { kind: ${kind}, environment: ${environment}, dir: infra/${name} }\n`,
    },
  ]).stacks[0]!;
}

function resolve(example: string, s: Stack, at = "2026-11-25T15:00:00Z", vars = {}) {
  const config = mergeConfigSets(platform, examples.get(example)!);
  return resolveStack(buildPolicyIndex(config.policies, new Date(at)), s, {
    org: "acmecorp",
    now: new Date(at),
    vars,
  });
}

beforeAll(async () => {
  platform = await loadConfigDir(join(packageRoot(), "policies", "platform"), "platform");
  examples = new Map();
  for (const name of [
    "development-speed",
    "production-safety",
    "batch-deployments",
    "critical-resource",
    "ci-automation",
    "emergency-override",
    "business-hours",
    "tiered-approvals",
  ]) {
    const level =
      name === "emergency-override" || name === "tiered-approvals" ? "organization" : "repository";
    const set = loadConfigFiles([
      {
        path: `policies/examples/${name}.yaml`,
        level,
        content: (await import("node:fs")).readFileSync(
          join(packageRoot(), "policies", "examples", `${name}.yaml`),
          "utf8",
        ),
      },
    ]);
    expect(
      set.diagnostics.filter((d) => d.severity === "error"),
      name,
    ).toEqual([]);
    examples.set(name, set);
  }
});

describe("the seed's patterns, as shipped", () => {
  it("platform default: conservative — plan and wait for one approval", () => {
    const r = resolve("development-speed", stack("x", "aws_s3", "elsewhere"));
    expect(stepsLine(r.flow)).toBe("Merge → Refresh → Plan → Wait for approval → Apply");
    expect(r.policy.policy).toBe("platform-default");
  });

  it("development speed: push config → see plan → auto-apply, safe changes merge themselves", () => {
    const r = resolve("development-speed", stack("api", "aws_s3", "development"));
    expect(stepsLine(r.flow)).toBe("Merge → Plan → Apply");
    expect(r.flow.skipRefresh).toBe(true);
    const safe = resolve("development-speed", stack("api", "aws_s3", "development"), undefined, {
      plan: { add: 1, change: 0, destroy: 0, replace: 0, resources: [] },
    });
    expect(safe.autoMerge.allowed).toBe(true);
    const destructive = resolve("development-speed", stack("api", "aws_s3", "development"), undefined, {
      plan: { add: 0, change: 0, destroy: 1, replace: 0, resources: [] },
    });
    expect(destructive.autoMerge.allowed).toBe(false);
  });

  it("production safety: refresh → plan → wait for approval → apply; risky changes need two", () => {
    const r = resolve("production-safety", stack("db", "aws_rds", "production"));
    expect(stepsLine(r.flow)).toBe("Merge → Refresh → Plan → Wait for approval → Apply");
    const risky = resolve("production-safety", stack("db", "aws_rds", "production"), undefined, {
      plan: { add: 0, change: 0, destroy: 1, replace: 0, resources: [] },
      risk: "high",
    });
    expect(risky.approvalRule.rule?.approvers.minRequired).toBe(2);
  });

  it("batch deployments: nothing until flowgate apply --all-pending", () => {
    const r = resolve("batch-deployments", stack("web", "aws_s3", "staging"));
    expect(r.flow.disableOnLifecycleEvents).toBe(true);
    expect(stepsLine(r.flow)).toMatch(/^Merge → Pending/);
  });

  it("critical resource: manual trigger → plan → approve → apply, two approvers", () => {
    const r = resolve("critical-resource", stack("payment-db", "postgres_kubernetes", "production"));
    expect(stepsLine(r.flow)).toBe("Merge → Wait for /apply → Refresh → Plan → Wait for approval → Apply");
    expect(r.approvalRule.rule?.approvers.minRequired).toBe(2);
    const other = resolve("critical-resource", stack("reports-db", "postgres_kubernetes", "development"));
    expect(other.flow.isManual).toBe(false);
    expect(other.policy.policy).toBe("database-protection");
  });

  it("CI automation: ci-temp-* applies directly for bots, plans for people", () => {
    const bot = resolve("ci-automation", stack("tmp", "aws_s3", "ci-temp-42"), undefined, {
      triggeredBy: { login: "ci[bot]", type: "bot" },
    });
    expect(stepsLine(bot.flow)).toBe("Merge → Apply");
    const person = resolve("ci-automation", stack("tmp", "aws_s3", "ci-temp-42"), undefined, {
      triggeredBy: { login: "ann", type: "user" },
    });
    expect(person.flow.previewBeforeUpdateOrDestroy).toBe(true);
  });

  it("emergency override: breakGlass from the organization, notifying security", () => {
    const r = resolve("emergency-override", stack("db", "aws_rds", "production"));
    expect(r.flow.breakGlass).toEqual({ allowedTeams: ["oncall"], notify: ["@acmecorp/security"] });
    expect(r.provenance.breakGlass.policy).toBe("emergency-override");
  });

  it("business hours: approval in hours, explicit trigger after hours, nothing automatic at weekends; Friday freeze", () => {
    const s = stack("db", "aws_rds", "production");
    expect(resolve("business-hours", s, "2026-11-25T15:00:00Z").flow.isManual).toBe(false); // Wed 10:00 New York
    expect(resolve("business-hours", s, "2026-11-25T23:30:00Z").flow.isManual).toBe(true); // Wed 18:30 New York
    expect(resolve("business-hours", s, "2026-11-28T15:00:00Z").flow.disableOnLifecycleEvents).toBe(true); // Saturday
    const next = resolve("business-hours", s, "2026-11-25T21:30:00Z").nextChangeAt; // Wed 16:30 New York
    expect(next?.toISOString()).toBe("2026-11-25T22:00:00.000Z");
    const freeze = examples.get("business-hours")!.gates[0]!;
    expect(evaluateGate(freeze, undefined, new Date("2026-11-27T12:00:00Z")).open).toBe(false); // Friday
    expect(evaluateGate(freeze, undefined, new Date("2026-11-26T12:00:00Z")).open).toBe(true);
  });

  it("tiered approvals: who approves depends on the estimated cost; nothing before the plan", () => {
    const s = stack("db", "aws_rds", "production");
    const rule = (cost?: number) =>
      resolve("tiered-approvals", s, undefined, cost === undefined ? {} : { estimatedCost: cost })
        .approvalRule.rule?.approvers;
    expect(rule(50)?.fromTeams).toEqual(["dev-team", "ops-team"]);
    expect(rule(500)?.fromTeams).toEqual(["team-leads"]);
    expect(rule(5000)).toMatchObject({ minRequired: 2, fromTeams: ["platform-team", "finance"] });
    expect(rule(undefined)).toBeUndefined();
  });
});
