import { describe, expect, test } from "vitest";
import { compileDirGlob } from "../../../src/config/dir-glob.js";
import { expandGenerators, indexDirectories } from "../../../src/config/generate.js";
import { brief, load } from "./helpers.js";

/** Generators of one Stack document whose `spec` is given. */
function generators(spec: string, name = "per-directory") {
  const set = load(`apiVersion: flowgate/v1\nkind: Stack\nmetadata: { name: ${name} }\nspec:\n${spec}`);
  expect(set.diagnostics).toEqual([]);
  return set.generators;
}

const TREE = [
  "infra/prod/api/main.tf",
  "infra/prod/api/variables.tf",
  "infra/prod/db/main.tf",
  "infra/staging/db/main.tf",
  "infra/staging/docs/README.md",
  "infra/.terraform/modules/x/main.tf",
  "README.md",
];

describe("directory globs", () => {
  const matches = (glob: string, dir: string) => {
    const compiled = compileDirGlob(glob);
    if (!compiled.ok) throw new Error(compiled.error);
    return compiled.value.match(dir);
  };

  test("each * is a capture, numbered from 1", () => {
    expect(matches("infra/*/*", "infra/prod/db")).toEqual(["prod", "db"]);
    expect(matches("infra/*/*", "infra/prod")).toBeUndefined();
    expect(matches("infra/*/*", "infra/prod/db/modules")).toBeUndefined();
    expect(matches("stacks/*-*", "stacks/prod-db")).toEqual(["prod", "db"]);
    expect(compileDirGlob("infra/*/*").ok && compileDirGlob("infra/*/*")).toMatchObject({
      value: { wildcards: 2 },
    });
  });

  test("** spans any number of directories and is a capture too", () => {
    expect(matches("infra/**/live", "infra/live")).toEqual([""]);
    expect(matches("infra/**/live", "infra/a/b/live")).toEqual(["a/b"]);
    expect(matches("infra/**", "infra/a/b")).toEqual(["a/b"]);
    expect(matches("infra/**", "infra")).toEqual([""]);
    expect(matches("**/*", "a/b/c")).toEqual(["a/b", "c"]);
    expect(matches("**", "a/b")).toEqual(["a/b"]);
  });

  test("?, [...] and {a,b}", () => {
    expect(matches("env-?", "env-1")).toEqual([]);
    expect(matches("env-?", "env-12")).toBeUndefined();
    expect(matches("env-[ab]", "env-b")).toEqual([]);
    expect(matches("env-[!ab]", "env-c")).toEqual([]);
    expect(matches("env-[!ab]", "env-a")).toBeUndefined();
    expect(matches("{prod,staging}/*", "staging/db")).toEqual(["db"]);
    expect(matches("{prod,staging}/*", "dev/db")).toBeUndefined();
    expect(matches("a.b/(x)/+", "a.b/(x)/+")).toEqual([]);
  });

  test("wildcards skip hidden directories, as minimatch does", () => {
    expect(matches("infra/*", "infra/.terraform")).toBeUndefined();
    expect(matches("infra/**/x", "infra/.cache/x")).toBeUndefined();
    expect(matches("infra/.terraform", "infra/.terraform")).toEqual([]);
  });

  test("globs that cannot name a directory are errors, not exceptions", () => {
    for (const glob of ["", "/abs/*", "a/../b", "a//b"]) expect(compileDirGlob(glob).ok).toBe(false);
  });
});

test("the directory index lists every directory holding a file, with the files directly inside", () => {
  const index = indexDirectories(["./a/b/c.tf", "a/d.tf", "top.md", "a/b/e/f.tf"]);
  expect(index.dirs).toEqual(["a", "a/b", "a/b/e"]);
  expect(index.files.get("a/b")).toEqual(["c.tf"]);
  expect(index.files.get("a")).toEqual(["d.tf"]);
});

describe("expandGenerators", () => {
  test("one stack per matching directory holding a matching file, with templates filled and provenance", () => {
    const gens = generators(
      '  generate: { dirs: "infra/*/*", containing: "*.tf", name: "{1}-{2}", environment: "{1}" }\n  kind: terraform\n  dependsOn: ["{1}-network"]\n  gates: [org:freeze, "{2}-gate"]\n  paths: ["{dir}/**", "modules/{2}/**"]\n  workflow: "tf-{1}.yml"\n',
    );
    const { stacks, diagnostics } = expandGenerators(gens, TREE);
    expect(diagnostics).toEqual([]);
    expect(stacks.map(({ origin, ...rest }) => rest)).toEqual([
      {
        name: "prod-api",
        kind: "terraform",
        environment: "prod",
        dir: "infra/prod/api",
        paths: ["infra/prod/api/**", "modules/api/**"],
        dependsOn: ["prod-network"],
        workflow: "tf-prod.yml",
        gates: ["org:freeze", "api-gate"],
        generatedFrom: "per-directory",
      },
      {
        name: "prod-db",
        kind: "terraform",
        environment: "prod",
        dir: "infra/prod/db",
        paths: ["infra/prod/db/**", "modules/db/**"],
        dependsOn: ["prod-network"],
        workflow: "tf-prod.yml",
        gates: ["org:freeze", "db-gate"],
        generatedFrom: "per-directory",
      },
      {
        name: "staging-db",
        kind: "terraform",
        environment: "staging",
        dir: "infra/staging/db",
        paths: ["infra/staging/db/**", "modules/db/**"],
        dependsOn: ["staging-network"],
        workflow: "tf-staging.yml",
        gates: ["org:freeze", "db-gate"],
        generatedFrom: "per-directory",
      },
    ]);
    expect(stacks[0]!.origin).toBe(gens[0]!.origin);
  });

  test("defaults: paths {dir}/**, workflow flowgate.yml, no dependsOn or gates; without containing every directory counts", () => {
    const gens = generators(
      '  generate: { dirs: "infra/staging/*", name: "s-{1}", environment: staging }\n  kind: "{1}"\n',
    );
    const { stacks } = expandGenerators(gens, TREE);
    expect(stacks.map((s) => [s.name, s.kind, s.dir, s.paths, s.workflow, s.dependsOn, s.gates])).toEqual([
      ["s-db", "db", "infra/staging/db", ["infra/staging/db/**"], "flowgate.yml", [], []],
      ["s-docs", "docs", "infra/staging/docs", ["infra/staging/docs/**"], "flowgate.yml", [], []],
    ]);
  });

  test("{dir} in a name is refused when it makes a name with a slash, at the generator, with a count", () => {
    const gens = generators(
      '  generate: { dirs: "infra/*/*", name: "{dir}", environment: "{1}" }\n  kind: terraform\n',
    );
    const { stacks, diagnostics } = expandGenerators(gens, TREE);
    expect(stacks).toEqual([]);
    expect(diagnostics.map(brief)).toEqual([
      `5:40 error generated stack name "infra/prod/api" (for directory "infra/prod/api") may contain only letters, digits, '.', '_' and '-' (and 3 more directories)`,
    ]);
  });

  test("directory names with characters a stack cannot have are diagnostics, and the rest still generate", () => {
    const gens = generators(
      '  generate: { dirs: "envs/*", name: "{1}", environment: "{1}" }\n  kind: terraform\n',
    );
    const { stacks, diagnostics } = expandGenerators(gens, [
      "envs/ok/main.tf",
      "envs/not ok/main.tf",
      "envs/$(x)/main.tf",
    ]);
    expect(stacks.map((s) => s.name)).toEqual(["ok"]);
    expect(diagnostics.map((d) => d.message)).toEqual([
      `generated stack name "$(x)" (for directory "envs/$(x)") may contain only letters, digits, '.', '_' and '-' (and 1 more directory)`,
      `generated environment "$(x)" (for directory "envs/$(x)") may contain only letters, digits, '.', '_' and '-' (and 1 more directory)`,
      `generated dir "envs/$(x)" (for directory "envs/$(x)") must be a path relative to the repository root made of letters, digits, '.', '_', '-' and '/', with no '..' (and 1 more directory)`,
    ]);
  });

  test("placeholders beyond the wildcards, or unknown ones, are refused before anything is generated", () => {
    const gens = generators(
      '  generate: { dirs: "infra/*", name: "{1}-{2}", environment: "{env}" }\n  kind: terraform\n  paths: ["{dir}/**", "{a,b}/**", "{x}/**"]\n',
    );
    const { stacks, diagnostics } = expandGenerators(gens, TREE);
    expect(stacks).toEqual([]);
    expect(diagnostics.map(brief)).toEqual([
      '5:38 error unknown placeholder "{2}": use {dir} or {1} (dirs "infra/*" has 1 wildcard)',
      '5:62 error unknown placeholder "{env}": use {dir} or {1} (dirs "infra/*" has 1 wildcard)',
      '7:35 error unknown placeholder "{x}": use {dir} or {1} (dirs "infra/*" has 1 wildcard)',
    ]);
  });

  test("a generator that matches nothing is a warning", () => {
    const gens = generators(
      '  generate: { dirs: "live/*", containing: "*.tf", name: "{1}", environment: prod }\n  kind: terraform\n',
    );
    const { stacks, diagnostics } = expandGenerators(gens, TREE);
    expect(stacks).toEqual([]);
    expect(diagnostics.map(brief)).toEqual([
      '5:21 warning generate matches no directory: none matches "live/*" holding a file matching "*.tf"',
    ]);
  });

  test("no generators: the files are not even read", () => {
    const files: Iterable<string> = {
      [Symbol.iterator](): Iterator<string> {
        throw new Error("read");
      },
    };
    expect(expandGenerators([], files)).toEqual({ stacks: [], diagnostics: [] });
  });

  test("100,000 paths and several generators in well under a second", () => {
    const paths: string[] = [];
    for (let env = 0; env < 20; env++) {
      for (let stack = 0; stack < 250; stack++) {
        for (let file = 0; file < 20; file++) {
          paths.push(`infra/env${env}/stack${stack}/${file % 4 === 0 ? "main.tf" : `sub/file${file}.txt`}`);
        }
      }
    }
    expect(paths).toHaveLength(100_000);
    const gens = [
      ...generators(
        '  generate: { dirs: "infra/*/*", containing: "*.tf", name: "{1}-{2}", environment: "{1}" }\n  kind: terraform\n',
        "a",
      ),
      ...generators(
        '  generate: { dirs: "infra/env1*/*/sub", name: "sub-{1}-{2}", environment: "env1{1}" }\n  kind: terraform\n',
        "b",
      ),
    ];
    const started = performance.now();
    const { stacks, diagnostics } = expandGenerators(gens, paths);
    const elapsed = performance.now() - started;
    expect(diagnostics).toEqual([]);
    expect(stacks.filter((s) => s.generatedFrom === "a")).toHaveLength(5000);
    expect(stacks.filter((s) => s.generatedFrom === "b")).toHaveLength(11 * 250); // env1 and env10 to env19
    // a guard against a blow-up (quadratic matching would take minutes), not a speed target: that is `npm run bench`
    expect(elapsed).toBeLessThan(10_000);
  });
});
