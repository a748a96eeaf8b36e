/** verify, onFailure, progression and rollout resolve like every other field: per field, with provenance. */
import { describe, expect, it } from "vitest";
import { loadConfigFiles, mergeConfigSets } from "../../../src/config/load.js";
import type { Level } from "../../../src/config/types.js";
import { buildPolicyIndex, resolveStack } from "../../../src/engine/resolve.js";

const NOW = new Date("2026-11-23T12:00:00Z");

function policy(name: string, selector: string, flowControl: string, extra = ""): string {
  const body = flowControl
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
  return `apiVersion: flowgate/v1\nkind: FlowControlPolicy\nmetadata: { name: ${name} }\nspec:\n  selector: ${selector}\n${extra}  flowControl:\n${body}\n`;
}

const STACK = `apiVersion: flowgate/v1
kind: Stack
metadata: { name: billing-db }
spec: { kind: aws_rds, environment: production, dir: infra/billing }
`;

function resolve(sources: Partial<Record<Level, string[]>>, vars = {}) {
  const sets = (Object.entries(sources) as [Level, string[]][]).map(([level, docs]) =>
    loadConfigFiles([{ path: `${level}.yml`, level, content: docs.join("---\n") }]),
  );
  for (const set of sets) expect(set.diagnostics).toEqual([]);
  const repo = loadConfigFiles([{ path: "stacks.yml", level: "repository", content: STACK }]);
  const config = mergeConfigSets(...sets, repo);
  return resolveStack(buildPolicyIndex(config.policies, NOW), config.stacks[0]!, {
    org: "acme",
    now: NOW,
    vars,
  });
}

describe("after-apply fields", () => {
  it("default: no verification, hold on failure, no progression, all at once", () => {
    const r = resolve({});
    expect(r.flow.verify).toEqual([]);
    expect(r.flow.onFailure).toBe("hold");
    expect(r.flow.progression).toEqual({ after: [] });
    expect(r.flow.rollout).toEqual({ waves: [] });
    expect(r.provenance.verify.via).toBe("default");
  });

  it("the most specific policy wins field by field, and each field names its policy", () => {
    const r = resolve({
      organization: [
        policy(
          "org-verify",
          "{ kind: organization, id: acme }",
          'verify:\n  - http: { url: "https://status.example.com/healthz" }\nonFailure: revert',
        ),
      ],
      repository: [
        policy(
          "prod",
          "{ kind: environment, id: production }",
          "progression: { after: [staging], soak: 30m }\nrollout: { waves: [1, 2] }",
        ),
        policy(
          "db",
          "{ kind: aws_rds, id: billing-db }",
          'verify:\n  - name: db up\n    prometheus: { server: "https://prom.example.com", query: up, condition: "result.all(s, s.value == 1.0)" }',
        ),
      ],
    });
    expect(r.flow.verify).toEqual([
      {
        name: "db up",
        prometheus: {
          server: "https://prom.example.com",
          query: "up",
          condition: "result.all(s, s.value == 1.0)",
        },
      },
    ]);
    expect(r.provenance.verify.policy).toBe("db");
    expect(r.flow.onFailure).toBe("revert");
    expect(r.provenance.onFailure.policy).toBe("org-verify");
    expect(r.flow.progression).toEqual({ after: ["staging"], soak: "30m" });
    expect(r.provenance.progression.policy).toBe("prod");
    expect(r.flow.rollout).toEqual({ waves: [1, 2] });
  });

  it("an empty list turns verification off again; an enforced organization policy cannot be relaxed", () => {
    const relaxed = resolve({
      organization: [
        policy("org", "{ kind: organization, id: acme }", 'verify:\n  - http: { url: "https://a.example/" }'),
      ],
      repository: [policy("repo", "{ kind: environment, id: production }", "verify: []")],
    });
    expect(relaxed.flow.verify).toEqual([]);
    const enforced = resolve({
      organization: [
        policy(
          "org",
          "{ kind: organization, id: acme }",
          'verify:\n  - http: { url: "https://a.example/" }\nprogression: { after: [staging] }',
          "  enforced: true\n",
        ),
      ],
      repository: [
        policy("repo", "{ kind: environment, id: production }", "verify: []\nprogression: { after: [] }"),
      ],
    });
    expect(enforced.flow.verify).toHaveLength(1);
    expect(enforced.flow.progression.after).toEqual(["staging"]);
    expect(enforced.notes.join("\n")).toMatch(/sets verify, ignored: enforced by organization policy org/);
  });

  it("conditions and schedule entries can set them, with that provenance", () => {
    const r = resolve(
      {
        repository: [
          policy(
            "prod",
            "{ kind: environment, id: production }",
            "conditions:\n  - if: \"pr.labels.exists(l, l == 'canary')\"\n    then: { rollout: { waves: [1] } }",
          ),
        ],
      },
      { pr: { author: "a", labels: ["canary"], baseRef: "main" } },
    );
    expect(r.flow.rollout).toEqual({ waves: [1] });
    expect(r.provenance.rollout.via).toBe("condition");
  });
});
