import { describe, expect, test } from "vitest";
import { loadConfigFiles, mergeConfigSets } from "../../../src/config/load.js";
import { brief, errors, GATE, load, STACK, warnings } from "./helpers.js";

const stackWith = (spec: string) =>
  `apiVersion: flowgate/v1\nkind: Stack\nmetadata: { name: s }\nspec:\n  kind: aws_rds\n  environment: production\n${spec}`;

const policyWith = (spec: string, name = "p") =>
  `apiVersion: flowgate/v1\nkind: FlowControlPolicy\nmetadata: { name: ${name} }\nspec:\n${spec}`;

describe("stack defaults", () => {
  test("dir is the fixed prefix of the first glob; paths default to <dir>/**; workflow, dependsOn and gates too", () => {
    const fromPaths = load(stackWith('  paths: ["infra/prod/db/**", "modules/rds/**"]\n')).stacks[0]!;
    expect(fromPaths).toMatchObject({
      dir: "infra/prod/db",
      paths: ["infra/prod/db/**", "modules/rds/**"],
      workflow: "flowgate.yml",
      dependsOn: [],
      gates: [],
    });
    expect(load(stackWith('  paths: ["infra/*/db/*.tf"]\n')).stacks[0]!.dir).toBe("infra");
    expect(load(stackWith('  paths: ["**/*.tf"]\n')).stacks[0]!.dir).toBe(".");
    const fromDir = load(stackWith("  dir: infra/prod/db/\n")).stacks[0]!;
    expect(fromDir).toMatchObject({ dir: "infra/prod/db", paths: ["infra/prod/db/**"] });
  });

  test("explicit values are kept", () => {
    const stack = load(
      stackWith(
        "  dir: infra/db\n  paths: [modules/**]\n  workflow: tf.yaml\n  dependsOn: [net]\n  gates: [org:freeze]\n",
      ),
    ).stacks[0]!;
    expect(stack).toMatchObject({
      name: "s",
      kind: "aws_rds",
      environment: "production",
      dir: "infra/db",
      paths: ["modules/**"],
      workflow: "tf.yaml",
      dependsOn: ["net"],
      gates: ["org:freeze"],
    });
    expect(stack.generatedFrom).toBeUndefined();
  });

  test("a dir taken from a glob must still be a safe directory", () => {
    const set = load(stackWith('  paths: ["infra/my db/**"]\n'));
    expect(set.stacks).toEqual([]);
    expect(set.diagnostics.map(brief)).toEqual([
      `7:11 error cannot take the stack's dir from paths[0]: "infra/my db" must be a path relative to the repository root made of letters, digits, '.', '_', '-' and '/', with no '..'; set spec.dir`,
    ]);
  });
});

describe("gate, policy and settings defaults", () => {
  test("gate: blocks both, no schedule", () => {
    expect(load(GATE).gates[0]).toMatchObject({
      name: "change-freeze",
      default: "open",
      blocks: ["merge", "apply"],
      schedule: [],
    });
  });

  test("policy: not enforced, no annotations, one approver by default", () => {
    const policy = load(
      policyWith(
        "  selector: { kind: platform }\n  flowControl:\n    approvalRules:\n      - approvers: { fromTeams: [sre] }\n    conditions:\n      - if: 'true'\n        then: { approvalRules: [{ approvers: {} }] }\n",
      ),
    ).policies[0]!;
    expect(policy.enforced).toBe(false);
    expect(policy.annotations).toEqual({});
    expect(policy.flowControl.approvalRules).toEqual([{ approvers: { fromTeams: ["sre"], minRequired: 1 } }]);
    expect(policy.flowControl.conditions?.[0]?.then.approvalRules).toEqual([
      { approvers: { minRequired: 1 } },
    ]);
  });

  test("settings: no globs", () => {
    const set = load("apiVersion: flowgate/v1\nkind: Settings\nmetadata: { name: s }\nspec: {}\n");
    expect(set.settings.map((s) => s.unownedInfraFiles)).toEqual([[]]);
  });
});

describe("level rules", () => {
  test("an organization gate is named org:NAME; a repository or platform gate keeps its name", () => {
    expect(load(GATE, "organization").gates[0]!.name).toBe("org:change-freeze");
    expect(load(GATE, "repository").gates[0]!.name).toBe("change-freeze");
    expect(load(GATE, "platform").gates[0]!.name).toBe("change-freeze");
  });

  test("a gate name cannot carry the org: prefix itself", () => {
    const set = load(GATE.replace("name: change-freeze", 'name: "org:change-freeze"'), "organization");
    expect(set.gates).toEqual([]);
    expect(errors(set.diagnostics).map((d) => d.message)).toEqual([
      `metadata.name may contain only letters, digits, '.', '_' and '-'; do not write the "org:" prefix, it is added to organization gates automatically (got "org:change-freeze")`,
    ]);
  });

  const breakGlass = policyWith(
    "  selector: { kind: platform }\n  flowControl:\n    breakGlass: { allowedTeams: [oncall] }\n",
  );

  test("breakGlass in a repository policy is dropped with a warning", () => {
    const set = load(breakGlass, "repository");
    expect(set.policies[0]!.flowControl.breakGlass).toBeUndefined();
    expect("breakGlass" in set.policies[0]!.flowControl).toBe(false);
    expect(set.diagnostics.map(brief)).toEqual([
      "7:17 warning breakGlass is only read from platform and organization files; ignored",
    ]);
  });

  test("breakGlass in platform and organization policies is kept", () => {
    for (const level of ["platform", "organization"] as const) {
      const set = load(breakGlass, level);
      expect(set.diagnostics).toEqual([]);
      expect(set.policies[0]!.flowControl.breakGlass).toEqual({ allowedTeams: ["oncall"] });
    }
  });

  const enforced = policyWith(
    "  selector: { kind: platform }\n  enforced: true\n  flowControl: { isManual: true }\n",
  );

  test("enforced counts only in organization files", () => {
    expect(load(enforced, "organization").policies[0]!.enforced).toBe(true);
    for (const level of ["platform", "repository"] as const) {
      const set = load(enforced, level);
      expect(set.policies[0]!.enforced).toBe(false);
      expect(set.diagnostics.map(brief)).toEqual([
        `6:13 warning enforced is only honoured in organization files; ignored in this ${level} file`,
      ]);
    }
  });
});

describe("files and documents", () => {
  test("every kind from one multi-document file, in order, with each document's origin", () => {
    const content = [STACK, GATE, policyWith("  selector: { kind: platform }\n  flowControl: {}\n"), ""].join(
      "---\n",
    );
    const set = load(content, "repository", ".github/flowgate/all.yml");
    expect(set.diagnostics).toEqual([]);
    expect(set.files).toEqual([".github/flowgate/all.yml"]);
    expect(set.stacks.map((s) => [s.name, s.origin.index, s.origin.file, s.origin.level])).toEqual([
      ["billing-database", 0, ".github/flowgate/all.yml", "repository"],
    ]);
    expect(set.gates.map((g) => [g.name, g.origin.index])).toEqual([["change-freeze", 1]]);
    expect(set.policies.map((p) => [p.name, p.origin.index])).toEqual([["p", 2]]);
    expect(set.gates[0]!.origin.pos(["spec", "default"])).toEqual({ line: 13, col: 12 });
  });

  test("a document with schema errors is left out; its neighbours are loaded", () => {
    const set = load([STACK.replace("kind: aws_rds", "kind: aws_rds\n  typo: 1"), GATE].join("---\n"));
    expect(set.stacks).toEqual([]);
    expect(set.gates).toHaveLength(1);
    expect(set.diagnostics.map(brief)).toEqual(['6:3 error unknown field "typo" in spec']);
  });

  test("a document that is not a mapping", () => {
    const set = load("just text\n---\n- a\n- b\n");
    expect(set.diagnostics.map(brief)).toEqual([
      '1:1 error the document must be a mapping (key: value) (got "just text")',
      "3:1 error the document must be a mapping (key: value) (got a list)",
    ]);
  });

  test("empty files and empty documents load nothing and report nothing", () => {
    const set = loadConfigFiles([
      { path: "a.yml", content: "", level: "repository" },
      { path: "b.yml", content: "# only a comment\n---\n", level: "repository" },
    ]);
    expect(set).toMatchObject({
      stacks: [],
      policies: [],
      gates: [],
      diagnostics: [],
      files: ["a.yml", "b.yml"],
    });
  });

  test("each file's problems name that file", () => {
    const set = loadConfigFiles([
      { path: "good.yml", content: GATE, level: "repository" },
      { path: "bad.yml", content: "a: [", level: "repository" },
    ]);
    expect(set.diagnostics.map((d) => d.file)).toEqual(["bad.yml"]);
  });

  test("the size and document limits can be set", () => {
    const set = loadConfigFiles([{ path: "a.yml", content: GATE, level: "repository" }], {
      maxFileBytes: 10,
    });
    const size = Buffer.byteLength(GATE);
    expect(set.diagnostics.map(brief)).toEqual([
      `1:1 error file is ${size} bytes, over the 10 bytes limit; not read`,
    ]);
    const docs = loadConfigFiles(
      [{ path: "a.yml", content: [GATE, GATE].join("---\n"), level: "repository" }],
      {
        maxDocuments: 1,
      },
    );
    expect(docs.diagnostics.map((d) => d.message)).toEqual([
      "file has 2 documents, over the limit of 1; not read",
    ]);
  });
});

test("mergeConfigSets keeps everything, in order", () => {
  const a = load(GATE, "organization", "org.yml");
  const b = load([STACK, "a: ["].join("---\n"), "repository", "repo.yml");
  const merged = mergeConfigSets(a, b);
  expect(merged.gates.map((g) => g.name)).toEqual(["org:change-freeze"]);
  expect(merged.stacks.map((s) => s.name)).toEqual(["billing-database"]);
  expect(merged.files).toEqual(["org.yml", "repo.yml"]);
  expect(warnings(merged.diagnostics)).toEqual([]);
  expect(errors(merged.diagnostics).map((d) => d.file)).toEqual(["repo.yml"]);
  expect(mergeConfigSets()).toEqual({
    stacks: [],
    generators: [],
    policies: [],
    gates: [],
    settings: [],
    diagnostics: [],
    files: [],
  });
});
