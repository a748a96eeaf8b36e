import { describe, expect, it } from "vitest";
import { loadConfigFiles, mergeConfigSets } from "../../../src/config/load.js";
import type { Level } from "../../../src/config/types.js";
import type { ResolveContext } from "../../../src/engine/resolve/resolve.js";
import { buildPolicyIndex, findTies, resolveStack } from "../../../src/engine/resolve.js";

const NOW = new Date("2026-11-23T12:00:00Z");

function policy(name: string, selector: string, flowControl: string, extra = ""): string {
  return `apiVersion: flowgate/v1\nkind: FlowControlPolicy\nmetadata: { name: ${name}${extra} }\nspec:\n  selector: ${selector}\n  flowControl:\n${flowControl
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n")}\n`;
}

const STACK = `apiVersion: flowgate/v1
kind: Stack
metadata: { name: billing-db }
spec: { kind: aws_rds, environment: production, dir: infra/billing, gates: [stack-gate] }
`;

function setup(sources: Partial<Record<Level, string[]>>, ctx: Partial<ResolveContext> = {}) {
  const sets = (Object.entries(sources) as [Level, string[]][]).map(([level, docs]) =>
    loadConfigFiles([{ path: `${level}.yml`, level, content: docs.join("---\n") }]),
  );
  const repo = loadConfigFiles([{ path: "stacks.yml", level: "repository", content: STACK }]);
  const config = mergeConfigSets(...sets, repo);
  const stack = config.stacks[0]!;
  const resolution = resolveStack(buildPolicyIndex(config.policies, ctx.now ?? NOW), stack, {
    org: "acme",
    now: NOW,
    ...ctx,
  });
  return { config, stack, resolution };
}

describe("resolution rules (SPEC §2.2)", () => {
  it("more specific selector kinds win field by field; unset fields inherit", () => {
    const { resolution } = setup({
      repository: [
        policy("env", "{ kind: environment, id: production }", "isManual: true\nskipRefresh: true"),
        policy("kind", "{ kind: aws_rds, id: billing-db }", "isManual: false"),
      ],
    });
    expect(resolution.flow.isManual).toBe(false);
    expect(resolution.provenance.isManual.policy).toBe("kind");
    expect(resolution.flow.skipRefresh).toBe(true);
    expect(resolution.provenance.skipRefresh.policy).toBe("env");
  });

  it("within one selector kind, the source orders: platform < organization < repository", () => {
    const { resolution } = setup({
      platform: [policy("p", "{ kind: environment, id: production }", "skipRefresh: true")],
      organization: [policy("o", "{ kind: environment, id: production }", "skipRefresh: false")],
    });
    expect(resolution.provenance.skipRefresh.policy).toBe("o");
  });

  it("an exact id beats a glob, a longer literal beats a shorter one", () => {
    const { resolution } = setup({
      repository: [
        policy("exact", "{ kind: aws_rds, id: billing-db }", "skipRefresh: true"),
        policy("glob", '{ kind: aws_rds, id: "billing-*" }', "skipRefresh: false"),
        policy("wide", '{ kind: aws_rds, id: "*" }', "isManual: true\nskipRefresh: false"),
        policy("narrow", '{ kind: aws_rds, id: "bill*" }', "isManual: false"),
      ],
    });
    expect(resolution.provenance.skipRefresh.policy).toBe("exact");
    // isManual is set by "wide" (literal 0) and "narrow" (literal 4): the longer literal wins.
    expect(resolution.provenance.isManual.policy).toBe("narrow");
    expect(resolution.flow.isManual).toBe(false);
    expect(resolution.applied.map((a) => a.policy)).toEqual(["wide", "narrow", "glob", "exact"]);
  });

  it("a remaining tie is an error naming both files, and the stack fails closed", () => {
    const { config, resolution } = setup({
      repository: [
        policy("one", '{ kind: aws_rds, id: "billing-*" }', "skipRefresh: true"),
        policy("two", '{ kind: aws_rds, id: "*lling-db" }', "skipRefresh: false"),
      ],
    });
    expect(resolution.errors.join()).toMatch(/one .* and two .*tie/);
    const ties = findTies(config.policies, config.stacks, { org: "acme", now: NOW });
    expect(ties).toHaveLength(1);
    expect(ties[0]!.message).toContain("repository.yml");
  });

  it("enforced organization fields cannot be changed by repository files, nor their conditions and schedules", () => {
    const { resolution } = setup({
      organization: [
        policy(
          "org-rules",
          "{ kind: organization, id: acme }\n  enforced: true",
          "pauseBetweenPreviewAndUpdateOrDestroy: true\nschedule:\n  - { days: sat-sun, policy: { isManual: true } }",
        ),
      ],
      repository: [
        policy(
          "repo-relax",
          "{ kind: aws_rds, id: billing-db }",
          'pauseBetweenPreviewAndUpdateOrDestroy: false\nisManual: false\nskipRefresh: true\nconditions:\n  - if: "true"\n    then: { pauseBetweenPreviewAndUpdateOrDestroy: false }',
        ),
      ],
    });
    expect(resolution.flow.pauseBetweenPreviewAndUpdateOrDestroy).toBe(true);
    expect(resolution.provenance.pauseBetweenPreviewAndUpdateOrDestroy.policy).toBe("org-rules");
    expect(resolution.flow.skipRefresh).toBe(true);
    expect(resolution.notes.join("\n")).toMatch(/enforced by organization policy org-rules/);
    // isManual is locked too: the enforced policy's schedule may set it.
    expect(resolution.flow.isManual).toBe(false);
    expect(resolution.provenance.isManual.via).toBe("default");
  });

  it("enforced only counts in organization files", () => {
    const { resolution } = setup({
      platform: [policy("plat", "{ kind: organization, id: acme }\n  enforced: true", "skipRefresh: true")],
      repository: [policy("repo", "{ kind: environment, id: production }", "skipRefresh: false")],
    });
    expect(resolution.flow.skipRefresh).toBe(false);
  });

  it("breakGlass is read only from platform and organization files", () => {
    const repoOnly = setup({
      repository: [
        policy("repo", "{ kind: environment, id: production }", "breakGlass: { allowedUsers: [mallory] }"),
      ],
    });
    expect(repoOnly.resolution.flow.breakGlass).toBeUndefined();
    const org = setup({
      organization: [
        policy("org", "{ kind: organization, id: acme }", "breakGlass: { allowedUsers: [oncall] }"),
      ],
    });
    expect(org.resolution.flow.breakGlass).toEqual({ allowedUsers: ["oncall"] });
  });

  it("lists replace, except gates: the union of the stack's and every policy's", () => {
    const { resolution } = setup({
      organization: [
        policy(
          "o",
          "{ kind: organization, id: acme }",
          "gates: [org:freeze]\napprovalRules: [ { approvers: { minRequired: 3 } } ]",
        ),
      ],
      repository: [
        policy(
          "r",
          "{ kind: environment, id: production }",
          "gates: [sre]\napprovalRules: [ { approvers: { minRequired: 1 } } ]",
        ),
      ],
    });
    expect(resolution.flow.gates.sort()).toEqual(["org:freeze", "sre", "stack-gate"]);
    expect(resolution.flow.approvalRules).toEqual([{ approvers: { minRequired: 1 } }]);
  });

  it("expired policies are ignored and reported", () => {
    const { resolution } = setup({
      repository: [
        policy(
          "old",
          "{ kind: environment, id: production }",
          "isManual: true",
          ', annotations: { expires: "2026-01-01" }',
        ),
      ],
    });
    expect(resolution.flow.isManual).toBe(false);
    expect(resolution.notes.join()).toMatch(/old .*expired on 2026-01-01/);
  });

  it("a condition reading the plan is false before the plan ran; conditions apply in order, later wins", () => {
    const docs = [
      policy(
        "p",
        "{ kind: environment, id: production }",
        'pauseBetweenPreviewAndUpdateOrDestroy: true\nconditions:\n  - if: "plan.destroy == 0"\n    then: { pauseBetweenPreviewAndUpdateOrDestroy: false }\n  - if: "plan.add > 10"\n    then: { pauseBetweenPreviewAndUpdateOrDestroy: true }',
      ),
    ];
    const plan = (add: number, destroy: number) => ({
      plan: { add, change: 0, destroy, replace: 0, resources: [] },
    });
    expect(setup({ repository: docs }).resolution.flow.pauseBetweenPreviewAndUpdateOrDestroy).toBe(true);
    expect(
      setup({ repository: docs }, { vars: plan(1, 0) }).resolution.flow.pauseBetweenPreviewAndUpdateOrDestroy,
    ).toBe(false);
    expect(
      setup({ repository: docs }, { vars: plan(20, 0) }).resolution.flow
        .pauseBetweenPreviewAndUpdateOrDestroy,
    ).toBe(true);
    const relaxed = setup({ repository: docs }, { vars: plan(1, 0) }).resolution;
    expect(relaxed.provenance.pauseBetweenPreviewAndUpdateOrDestroy).toMatchObject({
      via: "condition",
      policy: "p",
    });
  });

  it("for a fork or an author without write permission, plan-reading conditions only tighten (SPEC §5.1)", () => {
    const docs = [
      policy(
        "p",
        "{ kind: environment, id: production }",
        'pauseBetweenPreviewAndUpdateOrDestroy: true\nautoMerge: { enabled: true }\nconditions:\n  - if: "plan.destroy == 0"\n    then: { pauseBetweenPreviewAndUpdateOrDestroy: false }',
      ),
    ];
    const vars = { plan: { add: 1, change: 0, destroy: 0, replace: 0, resources: [] } };
    const untrusted = setup({ repository: docs }, { vars, trusted: false }).resolution;
    expect(untrusted.flow.pauseBetweenPreviewAndUpdateOrDestroy).toBe(true);
    expect(untrusted.notes.join()).toMatch(/fork or an author without write permission/);
    expect(untrusted.autoMerge.allowed).toBe(false);
  });

  it("a schedule entry applies in its time zone; an override ignores schedules", () => {
    const docs = [
      policy(
        "hours",
        "{ kind: environment, id: production }",
        'schedule:\n  - { days: mon-fri, hours: "9-17", timezone: Europe/Berlin, policy: { isManual: false } }\n  - { policy: { isManual: true } }',
      ),
    ];
    expect(
      setup({ repository: docs }, { now: new Date("2026-11-23T10:00:00Z") }).resolution.flow.isManual,
    ).toBe(false);
    const night = setup({ repository: docs }, { now: new Date("2026-11-23T20:00:00Z") }).resolution;
    expect(night.flow.isManual).toBe(true);
    expect(night.provenance.isManual.detail).toMatch(/schedule entry 2/);
    expect(
      setup({ repository: docs }, { now: new Date("2026-11-23T20:00:00Z"), ignoreSchedules: true }).resolution
        .flow.isManual,
    ).toBe(false);
  });

  it("a failing expression fails closed with the reason", () => {
    const { resolution } = setup(
      {
        repository: [
          policy(
            "p",
            "{ kind: environment, id: production }",
            'conditions:\n  - if: "plan.resources.all(a, plan.resources.all(b, plan.resources.all(c, true)))"\n    then: { pauseBetweenPreviewAndUpdateOrDestroy: false }',
          ),
        ],
      },
      {
        vars: {
          plan: {
            add: 500,
            change: 0,
            destroy: 0,
            replace: 0,
            resources: Array.from({ length: 500 }, (_, i) => ({
              address: `r.${i}`,
              type: "r",
              action: "create",
              changedAttributes: [],
            })),
          },
        },
      },
    );
    expect(resolution.errors.join()).toMatch(/cost/);
  });

  it("for an untrusted change, an approval rule that reads the plan is skipped (SPEC §5.1)", () => {
    const docs = [
      policy(
        "p",
        "{ kind: environment, id: production }",
        'approvalRules:\n  - if: "plan.destroy == 0"\n    approvers: { minRequired: 1 }\n  - approvers: { minRequired: 2, fromTeams: [platform] }',
      ),
    ];
    const vars = { plan: { add: 1, change: 0, destroy: 0, replace: 0, resources: [] } };
    expect(setup({ repository: docs }, { vars }).resolution.approvalRule.rule?.approvers.minRequired).toBe(1);
    const untrusted = setup({ repository: docs }, { vars, trusted: false }).resolution;
    expect(untrusted.approvalRule.rule?.approvers.minRequired).toBe(2);
    expect(untrusted.notes.join()).toMatch(/approval rule 1 reads the plan/);
  });

  it("the first approval rule whose if holds applies; none matching leaves only break-glass", () => {
    const docs = [
      policy(
        "p",
        "{ kind: environment, id: production }",
        "approvalRules:\n  - if: \"risk == 'high'\"\n    approvers: { minRequired: 2 }\n  - if: \"risk == 'low'\"\n    approvers: { minRequired: 1 }",
      ),
    ];
    expect(
      setup({ repository: docs }, { vars: { risk: "high" } }).resolution.approvalRule.rule?.approvers
        .minRequired,
    ).toBe(2);
    expect(
      setup({ repository: docs }, { vars: { risk: "low" } }).resolution.approvalRule.rule?.approvers
        .minRequired,
    ).toBe(1);
    const none = setup({ repository: docs }, { vars: { risk: "medium" } }).resolution.approvalRule;
    expect(none.rule).toBeNull();
    expect(none.reason).toMatch(/no approval rule matches/);
  });
});
