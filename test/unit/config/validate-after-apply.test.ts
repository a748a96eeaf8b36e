/** `flowgate validate` on verify, onFailure, progression and rollout: every finding with file, line and column. */
import { describe, expect, test } from "vitest";
import { validateConfig } from "../../../src/validation/validate.js";
import { brief, load, locate } from "./helpers.js";

const NOW = new Date("2026-03-01T12:00:00Z");

const stack = (name: string, environment: string, kind = "aws_rds") =>
  `apiVersion: flowgate/v1\nkind: Stack\nmetadata: { name: ${name} }\nspec:\n  kind: ${kind}\n  environment: ${environment}\n  dir: infra/${name}\n`;

const policy = (name: string, selector: string, flowControl: string) =>
  `apiVersion: flowgate/v1\nkind: FlowControlPolicy\nmetadata: { name: ${name} }\nspec:\n  selector: ${selector}\n  flowControl:\n${flowControl}`;

const STACKS = [stack("stg-db", "staging"), stack("prod-db", "production")];
const docs = (...documents: string[]) => [...STACKS, ...documents].join("---\n");

/** Loading (schema) and semantic findings, as `line:col severity message`. */
function findings(repository: string, organization?: string): string[] {
  const repo = load(repository, "repository", "repo.yml");
  const org = organization === undefined ? undefined : load(organization, "organization", "org.yml");
  const semantic = validateConfig({
    repository: repo,
    ...(org ? { organization: org } : {}),
    stacks: repo.stacks,
    org: "acme",
    now: NOW,
  });
  return [...repo.diagnostics, ...(org?.diagnostics ?? []), ...semantic].map((d) => `${d.file} ${brief(d)}`);
}

describe("verify", () => {
  test("a valid list of each kind passes", () => {
    const repository = docs(
      policy(
        "prod",
        "{ kind: environment, id: production }",
        `    verify:
      - name: api health
        http:
          url: "https://api.example.com/healthz?token=\${env.FLOWGATE_VERIFY_API}"
          expectStatus: 204
          condition: "status == 204"
          headers: { Authorization: "Bearer \${env.FLOWGATE_VERIFY_TOKEN}", Accept: application/json }
          interval: 30s
          for: 5m
          timeout: 5s
          failureLimit: 2
      - prometheus:
          server: "\${env.FLOWGATE_VERIFY_PROM_URL}"
          query: sum(rate(http_requests_total{code=~"5.."}[5m]))
          condition: "result.all(s, s.value < 0.01)"
      - workflow: { file: verify-prod.yml, inputs: { target: production } }
    onFailure: revert
    progression: { after: [staging], soak: 30m }
    rollout: { waves: [1, 2, 4] }
`,
      ),
    );
    expect(findings(repository)).toEqual([]);
  });

  test("bad URLs, conditions, durations and headers point at the field", () => {
    const repository = docs(
      policy(
        "prod",
        "{ kind: environment, id: production }",
        `    verify:
      - http: { url: "https://user:hunter2@api.example.com/" }
      - http: { url: "https://api.example.com/\${env.PRIVATE_KEY}" }
      - http: { url: "https://api.example.com/", condition: "body.ok +", interval: 0s, timeout: 2m, for: 2d }
      - http: { url: "https://api.example.com/", headers: { Authorization: "Bearer abc123", Host: internal } }
      - prometheus: { server: "https://prom.example.com", query: up, condition: "status == 200" }
`,
      ),
    );
    const found = findings(repository);
    expect(found).toEqual([
      `repo.yml ${locate(repository, '"https://user')} error url must not hold credentials: put them in a header with \${env.FLOWGATE_VERIFY_NAME}`,
      `repo.yml ${locate(repository, '"https://api.example.com/${env')} error \${env.PRIVATE_KEY} cannot be read: verification may only read environment variables named FLOWGATE_VERIFY_*`,
      `repo.yml ${locate(repository, '"body.ok +"')} error ${found[2]?.split(" error ")[1]}`,
      `repo.yml ${locate(repository, "0s")} error interval: "0s" is zero: a duration must be longer than 0s`,
      `repo.yml ${locate(repository, "2m,")} error timeout: "2m" is longer than the limit of 60s`,
      `repo.yml ${locate(repository, "2d")} error for: "2d" is longer than the limit of 24h`,
      `repo.yml ${locate(repository, '"Bearer abc123"')} error header Authorization carries a credential, which must not sit in a policy file: write \${env.FLOWGATE_VERIFY_NAME} and set that variable in the app`,
      `repo.yml ${locate(repository, "internal")} error header Host is set by flowgate and cannot be given`,
      `repo.yml ${locate(repository, '"status == 200"')} error invalid condition: unknown variable "status" at column 1; this condition may read result`,
    ]);
    expect(found[2]).toMatch(/error invalid condition: .+ at column \d+$/);
  });

  test("one kind per check, distinct names, workflow inputs flowgate sets", () => {
    const repository = docs(
      policy(
        "prod",
        "{ kind: environment, id: production }",
        `    verify:
      - http: { url: "https://a.example/" }
        workflow: { file: v.yml }
      - { name: http 1, workflow: { file: v.yml, inputs: { sha: abc } } }
`,
      ),
    );
    expect(findings(repository)).toEqual([
      `repo.yml ${locate(repository, "{ file: v.yml }")} error a verify check sets exactly one of http, prometheus, workflow; this one sets http and workflow`,
      `repo.yml ${locate(repository, "http 1")} error two verify checks are named "http 1" (the other is entry 1); checks are reported by name`,
      `repo.yml ${locate(repository, "abc }")} error input "sha" is set by flowgate for every job; choose another name`,
    ]);
  });

  test("the schema refuses other schemes, a check of no kind, an impossible status", () => {
    const repository = docs(
      policy(
        "prod",
        "{ kind: environment, id: production }",
        `    verify:
      - http: { url: "ftp://files.example.com/x" }
      - { name: empty }
      - http: { url: "https://a.example/", expectStatus: 42 }
`,
      ),
    );
    expect(findings(repository)).toEqual([
      `repo.yml ${locate(repository, '"ftp:')} error spec.flowControl.verify[0].http.url must start with http:// or https:// (got "ftp://files.example.com/x")`,
      `repo.yml ${locate(repository, "{ name: empty }")} error spec.flowControl.verify[1] needs "http" or "prometheus" or "workflow"`,
      `repo.yml ${locate(repository, "42")} error spec.flowControl.verify[2].http.expectStatus must be at least 100 (got 42)`,
    ]);
  });
});

describe("progression and rollout", () => {
  test("an unknown environment in after: an error in a repository file, a warning in an organization's", () => {
    const repository = docs(
      policy("prod", "{ kind: environment, id: production }", "    progression: { after: [stagin] }\n"),
    );
    expect(findings(repository)).toEqual([
      `repo.yml ${locate(repository, "stagin]")} error unknown environment "stagin" in progression.after: no stack has it (did you mean "staging"?)`,
    ]);
    const organization = policy(
      "org",
      "{ kind: organization, id: acme }",
      "    progression: { after: [qa] }\n",
    );
    expect(findings(docs(), organization)).toEqual([
      `org.yml ${locate(organization, "qa]")} warning unknown environment "qa" in progression.after: no stack has it (the environments are production, staging)`,
    ]);
  });

  test("waiting for itself, a cycle between environments, a bad soak", () => {
    const own = docs(
      policy(
        "prod",
        "{ kind: environment, id: production }",
        "    progression: { after: [production], soak: 0m }\n",
      ),
    );
    expect(findings(own)).toEqual([
      `repo.yml ${locate(own, "production]")} error environment production cannot wait for itself (stack prod-db)`,
      `repo.yml ${locate(own, "0m")} error soak: "0m" is zero: a duration must be longer than 0s`,
    ]);
    const cycle = docs(
      policy("prod", "{ kind: environment, id: production }", "    progression: { after: [staging] }\n"),
      policy("stg", "{ kind: environment, id: staging }", "    progression: { after: [production] }\n"),
    );
    const line = locate(cycle, "[staging]").split(":")[0];
    expect(findings(cycle)).toEqual([
      `repo.yml ${locate(cycle, "[staging]")} error environments wait for each other in a cycle (production → staging → production), so none of them would ever apply; set by prod (repo.yml:${line})`,
    ]);
  });

  test("waves that are not positive whole numbers; stacks of one environment with different rollouts", () => {
    const waves = docs(
      policy("prod", "{ kind: environment, id: production }", "    rollout: { waves: [1, 0, 2.5] }\n"),
    );
    expect(findings(waves)).toEqual([
      `repo.yml ${locate(waves, "0,")} error spec.flowControl.rollout.waves[1] must be at least 1 (got 0)`,
      `repo.yml ${locate(waves, "2.5")} error spec.flowControl.rollout.waves[2] must be a whole number (got 2.5)`,
    ]);
    const differing = [
      stack("prod-db", "production"),
      stack("prod-web", "production", "web"),
      policy("prod", "{ kind: environment, id: production }", "    rollout: { waves: [1] }\n"),
      policy("web", "{ kind: web, id: prod-web }", "    rollout: { waves: [2] }\n"),
    ].join("---\n");
    const found = findings(differing);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      /error stacks of environment production resolve to different rollouts: \[1\] for prod-db .*; \[2\] for prod-web/,
    );
  });

  test("fields that mean nothing for configuration changes are flagged", () => {
    const repository = docs(policy("config", "{ kind: configuration }", "    onFailure: revert\n"));
    expect(findings(repository)).toEqual([
      `repo.yml ${locate(repository, "revert")} warning onFailure has no effect for configuration changes: they run no stack job and never merge automatically`,
    ]);
  });
});
