import { describe, expect, test } from "vitest";
import {
  DIR_PATTERN,
  DURATION_PATTERN,
  GATE_REF_PATTERN,
  NAME_PATTERN,
  RESOURCE_KIND_PATTERN,
  WORKFLOW_PATTERN,
} from "../../../src/config/patterns.js";
import { checkDocumentShape, flowgateSchema } from "../../../src/config/schema.js";
import { brief, errors, load } from "./helpers.js";

type Schema = Record<string, unknown>;

const schema = flowgateSchema() as Schema;
const defs = schema.$defs as Record<string, Schema>;

function resolveRef(s: Schema): Schema {
  const ref = s.$ref;
  if (typeof ref !== "string") return s;
  const name = ref.replace("#/$defs/", "");
  const target = defs[name];
  if (!target) throw new Error(`dangling $ref ${ref}`);
  return target;
}

/** Every schema of a mapping (`type: object`) in the file, with a readable location; if/then refinements are not. */
function objectSchemas(): { where: string; schema: Schema }[] {
  const out: { where: string; schema: Schema }[] = [];
  const visit = (s: unknown, where: string) => {
    if (Array.isArray(s)) {
      for (const [i, item] of s.entries()) visit(item, `${where}[${i}]`);
      return;
    }
    if (typeof s !== "object" || s === null) return;
    const obj = s as Schema;
    if (obj.type === "object" && obj.properties) out.push({ where, schema: obj });
    for (const [key, value] of Object.entries(obj)) visit(value, `${where}/${key}`);
  };
  visit(schema, "#");
  return out;
}

describe("the JSON Schema file", () => {
  test("every field has a description, directly or on the definition it refers to", () => {
    const missing: string[] = [];
    for (const { where, schema: obj } of objectSchemas()) {
      for (const [name, property] of Object.entries(obj.properties as Record<string, Schema>)) {
        if (
          typeof property.description !== "string" &&
          typeof resolveRef(property).description !== "string"
        ) {
          missing.push(`${where}.${name}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  test("every mapping refuses unknown fields, except annotations", () => {
    const open = objectSchemas()
      .filter(({ schema: s }) => s.additionalProperties !== false)
      .map(({ where }) => where);
    // The top-level metadata/spec placeholders are refined per kind (if/then), each with additionalProperties: false.
    expect(open).toEqual(["#/$defs/annotations"]);
  });

  test("its patterns are the ones the generators check (one source of truth for allowed characters)", () => {
    expect((defs.name as Schema).pattern).toBe(NAME_PATTERN);
    expect((defs.stackName as Schema).pattern).toBe(NAME_PATTERN);
    expect((defs.environment as Schema).pattern).toBe(NAME_PATTERN);
    expect((defs.dir as Schema).pattern).toBe(DIR_PATTERN);
    expect((defs.workflow as Schema).pattern).toBe(WORKFLOW_PATTERN);
    expect((defs.resourceKind as Schema).pattern).toBe(RESOURCE_KIND_PATTERN);
    expect((defs.gateRef as Schema).pattern).toBe(GATE_REF_PATTERN);
    expect((defs.duration as Schema).pattern).toBe(DURATION_PATTERN);
  });

  test("the examples of SPEC §2.1 are valid", () => {
    const examples = [
      {
        apiVersion: "flowgate/v1",
        kind: "Stack",
        metadata: { name: "billing-database" },
        spec: {
          kind: "aws_rds",
          environment: "production",
          dir: "infra/prod/billing-db",
          paths: ["infra/prod/billing-db/**", "modules/rds/**"],
          dependsOn: ["prod-network"],
          workflow: "flowgate.yml",
          gates: ["change-freeze"],
        },
      },
      {
        apiVersion: "flowgate/v1",
        kind: "Stack",
        metadata: { name: "all" },
        spec: {
          generate: { dirs: "infra/*/*", containing: "*.tf", name: "{1}-{2}", environment: "{1}" },
          kind: "terraform",
        },
      },
      {
        apiVersion: "flowgate/v1",
        kind: "FlowControlPolicy",
        metadata: { name: "production-careful", annotations: { expires: "2027-02-01", description: "..." } },
        spec: {
          selector: { kind: "environment", id: "production" },
          enforced: false,
          flowControl: {
            isManual: false,
            disableOnLifecycleEvents: false,
            skipRefresh: false,
            previewBeforeUpdateOrDestroy: true,
            pauseBetweenPreviewAndUpdateOrDestroy: true,
            gates: ["sre-approval"],
            conditions: [
              {
                if: "plan.destroy == 0 && plan.resources.all(r, r.action == 'update')",
                // biome-ignore lint/suspicious/noThenProperty: the configuration's own field name (SPEC §2.1)
                then: { pauseBetweenPreviewAndUpdateOrDestroy: false },
              },
            ],
            schedule: [
              {
                days: "mon-fri",
                hours: "9-17",
                timezone: "America/New_York",
                policy: { pauseBetweenPreviewAndUpdateOrDestroy: true },
              },
              { days: "sat-sun", policy: { disableOnLifecycleEvents: true } },
            ],
            approvalRules: [
              {
                if: "estimatedCost < 100",
                approvers: { minRequired: 1, fromTeams: ["dev-team", "ops-team"] },
              },
              { approvers: { minRequired: 2, fromTeams: ["platform-team"], fromUsers: ["octocat"] } },
            ],
            autoMerge: { enabled: true, when: "plan.destroy == 0", method: "squash" },
            breakGlass: { allowedTeams: ["oncall"], notify: ["@acme/security"] },
            timeouts: { plan: "1h", apply: "3h", approval: "7d" },
            planMaxAge: "24h",
          },
        },
      },
      {
        apiVersion: "flowgate/v1",
        kind: "Gate",
        metadata: { name: "sre-approval" },
        spec: {
          default: "closed",
          window: "1h",
          schedule: [{ days: "fri", timezone: "Europe/Berlin", state: "closed" }],
          openers: { teams: ["sre"] },
          blocks: ["merge", "apply"],
        },
      },
      {
        apiVersion: "flowgate/v1",
        kind: "Settings",
        metadata: { name: "settings" },
        spec: { unownedInfraFiles: ["**/*.tf", "**/*.tfvars", "**/.terraform.lock.hcl"] },
      },
    ];
    for (const example of examples) expect(checkDocumentShape(example)).toEqual([]);
  });
});

/** The messages of one document's schema errors, as `line:col severity message`. */
function shapeErrors(yaml: string): string[] {
  return errors(load(yaml).diagnostics).map(brief);
}

describe("schema errors read like sentences and point at the node", () => {
  test("a misspelt field: at its key, with the field it was probably meant to be", () => {
    const yaml = `apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: p }
spec:
  selector: { kind: environment, id: production }
  flowControl:
    isManaul: true
`;
    expect(shapeErrors(yaml)).toEqual([
      '7:5 error unknown field "isManaul" in spec.flowControl (did you mean "isManual"?)',
    ]);
  });

  test("a missing field: at the mapping that lacks it", () => {
    const yaml = `apiVersion: flowgate/v1
kind: Gate
metadata: { name: g }
spec:
  window: 1h
`;
    expect(shapeErrors(yaml)).toEqual(['5:3 error missing field "default" in spec']);
  });

  test("a missing top-level field names it without a path", () => {
    expect(shapeErrors("apiVersion: flowgate/v1\nkind: Settings\nspec: {}\n")).toEqual([
      '1:1 error missing field "metadata"',
    ]);
  });

  test("a wrong type says what was expected and what was found, with a hint for YAML 1.1 booleans", () => {
    const yaml = `apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: p }
spec:
  selector: { kind: platform }
  flowControl:
    skipRefresh: yes
    gates: sre
`;
    expect(shapeErrors(yaml)).toEqual([
      '7:18 error spec.flowControl.skipRefresh must be true or false (got "yes"; write true or false)',
      '8:12 error spec.flowControl.gates must be a list (got "sre")',
    ]);
  });

  test("a wrong value among a few: lists them and suggests the closest", () => {
    const yaml = "apiVersion: flowgate/v1\nkind: Stak\nmetadata: { name: s }\nspec: {}\n";
    expect(shapeErrors(yaml)).toEqual([
      '2:7 error kind must be one of "Stack", "FlowControlPolicy", "Gate", "Settings" (got "Stak"; did you mean "Stack"?)',
    ]);
  });

  test("the wrong apiVersion", () => {
    const yaml = "apiVersion: flowgate/v2\nkind: Settings\nmetadata: { name: s }\nspec: {}\n";
    expect(shapeErrors(yaml)).toEqual(['1:13 error apiVersion must be "flowgate/v1" (got "flowgate/v2")']);
  });

  test("fields of another kind are unknown: the kind decides the shape of spec", () => {
    const yaml =
      "apiVersion: flowgate/v1\nkind: Stack\nmetadata: { name: s }\nspec: { kind: a, environment: b, dir: c, default: open }\n";
    expect(shapeErrors(yaml)).toEqual(['4:42 error unknown field "default" in spec']);
  });

  test("a stack needs dir or paths; a generator takes neither dir nor environment at the top", () => {
    expect(
      shapeErrors(
        "apiVersion: flowgate/v1\nkind: Stack\nmetadata: { name: s }\nspec: { kind: a, environment: b }\n",
      ),
    ).toEqual(['4:7 error spec needs "dir" or "paths"']);
    const generator = `apiVersion: flowgate/v1
kind: Stack
metadata: { name: s }
spec:
  generate: { dirs: "infra/*", name: "{1}", environment: prod }
  kind: terraform
  dir: infra
`;
    expect(shapeErrors(generator)).toEqual([
      '7:3 error unknown field "dir" in spec (a generated stack\'s dir is the directory it was generated for)',
    ]);
  });

  test("names, directories and workflows are limited to safe characters", () => {
    const yaml = `apiVersion: flowgate/v1
kind: Stack
metadata: { name: "db; rm -rf /" }
spec:
  kind: "aws rds"
  environment: production
  dir: ../secrets
  workflow: deploy.sh
`;
    expect(shapeErrors(yaml)).toEqual([
      `3:19 error metadata.name may contain only letters, digits, '.', '_' and '-' (got "db; rm -rf /")`,
      `5:9 error spec.kind may contain only letters, digits, '_' and '-' (got "aws rds")`,
      `7:8 error spec.dir must be a path relative to the repository root made of letters, digits, '.', '_', '-' and '/', with no '..' (got "../secrets")`,
      '8:13 error spec.workflow must be a file name under .github/workflows ending in .yml or .yaml (got "deploy.sh")',
    ]);
  });

  test("a name longer than 100 characters", () => {
    const yaml = `apiVersion: flowgate/v1\nkind: Stack\nmetadata: { name: ${"a".repeat(101)} }\nspec: { kind: a, environment: b, dir: c }\n`;
    expect(shapeErrors(yaml)).toEqual(["3:19 error metadata.name must be at most 100 characters long"]);
  });

  test("a leading slash or .. in a directory or glob is refused", () => {
    for (const dir of ["/etc", "a/../b", ".."]) {
      const yaml = `apiVersion: flowgate/v1\nkind: Stack\nmetadata: { name: s }\nspec: { kind: a, environment: b, dir: "${dir}" }\n`;
      expect(shapeErrors(yaml)).toHaveLength(1);
    }
    const glob = `apiVersion: flowgate/v1\nkind: Stack\nmetadata: { name: s }\nspec: { kind: a, environment: b, paths: ["../x/**"] }\n`;
    expect(shapeErrors(glob)).toEqual([
      `4:42 error spec.paths[0] must be relative to the repository root: no leading '/' and no '..' (got "../x/**")`,
    ]);
    for (const dir of ["infra/prod", "infra/..prod", "a/b.c/d"]) {
      const yaml = `apiVersion: flowgate/v1\nkind: Stack\nmetadata: { name: s }\nspec: { kind: a, environment: b, dir: "${dir}" }\n`;
      expect(shapeErrors(yaml)).toEqual([]);
    }
  });

  test("selector id is required except for platform and configuration", () => {
    const policy = (selector: string) =>
      `apiVersion: flowgate/v1\nkind: FlowControlPolicy\nmetadata: { name: p }\nspec:\n  selector: ${selector}\n  flowControl: {}\n`;
    expect(shapeErrors(policy("{ kind: environment }"))).toEqual([
      '5:13 error missing field "id" in spec.selector',
    ]);
    expect(shapeErrors(policy("{ kind: aws_rds }"))).toEqual([
      '5:13 error missing field "id" in spec.selector',
    ]);
    expect(shapeErrors(policy("{ kind: platform }"))).toEqual([]);
    expect(shapeErrors(policy("{ kind: configuration }"))).toEqual([]);
  });

  test("conditions and schedule entries set fields but cannot nest, nor set breakGlass", () => {
    const yaml = `apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: p }
spec:
  selector: { kind: platform }
  flowControl:
    conditions:
      - if: "true"
        then: { breakGlass: {}, conditions: [] }
    schedule:
      - { days: fri, policy: { schedule: [] } }
`;
    expect(shapeErrors(yaml)).toEqual([
      '9:17 error unknown field "breakGlass" in spec.flowControl.conditions[0].then (breakGlass can only be set directly under flowControl)',
      '9:33 error unknown field "conditions" in spec.flowControl.conditions[0].then (conditions and schedules cannot be nested)',
      '11:32 error unknown field "schedule" in spec.flowControl.schedule[0].policy (conditions and schedules cannot be nested)',
    ]);
  });

  test("durations: the shape is checked by the schema, the meaning later", () => {
    const gate = (window: string) =>
      `apiVersion: flowgate/v1\nkind: Gate\nmetadata: { name: g }\nspec: { default: open, window: "${window}" }\n`;
    expect(shapeErrors(gate("1h30m"))).toEqual([]);
    expect(shapeErrors(gate("90 minutes"))).toEqual([
      '4:32 error spec.window must be a duration such as "30m", "2h", "1d" or "1h30m" (got "90 minutes")',
    ]);
    expect(shapeErrors(gate(""))).toEqual(["4:32 error spec.window must not be empty"]);
  });

  test("gate blocks: known values, each once; annotations: text only", () => {
    const yaml = `apiVersion: flowgate/v1
kind: Gate
metadata: { name: g, annotations: { owner: 42 } }
spec: { default: open, blocks: [merge, merge] }
`;
    expect(shapeErrors(yaml)).toEqual([
      "3:44 error metadata.annotations.owner must be a string (got 42)",
      '4:40 error spec.blocks lists "merge" twice',
    ]);
  });

  test("approvers need at least one person", () => {
    const yaml = `apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: p }
spec:
  selector: { kind: platform }
  flowControl:
    approvalRules:
      - approvers: { minRequired: 0 }
`;
    expect(shapeErrors(yaml)).toEqual([
      "8:35 error spec.flowControl.approvalRules[0].approvers.minRequired must be at least 1 (got 0)",
    ]);
  });
});
