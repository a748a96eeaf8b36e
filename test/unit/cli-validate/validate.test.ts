import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, test } from "vitest";
import type { CliIO } from "../../../src/cli/io.js";
import { runValidate } from "../../../src/cli/validate.js";
import { listYamlFiles } from "../../../src/config/load-dir.js";

const FIXTURES = resolve(import.meta.dirname, "../../fixtures/config");
const BROKEN = join(FIXTURES, "broken");
const PLATFORM = ["--platform-dir", join(FIXTURES, "platform")];
const AT = ["--at", "2026-01-01T00:00:00Z"];

async function run(args: string[], cwd = BROKEN) {
  let stdout = "";
  let stderr = "";
  const io: CliIO = {
    cwd,
    env: {},
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  };
  const code = await runValidate(args, io);
  return { code, stdout, stderr, lines: stdout.trimEnd().split("\n") };
}

interface Expected {
  file: string;
  line: number;
  severity: string;
  message: string;
}

/** The findings a fixture folder announces with `# expect error: ...` comments on the lines they are about. */
async function expectations(root: string, folder: string): Promise<Expected[]> {
  const out: Expected[] = [];
  for (const path of await listYamlFiles(join(root, folder))) {
    const file = path.slice(root.length + 1);
    readFileSync(path, "utf8")
      .split("\n")
      .forEach((text, i) => {
        for (const m of text.matchAll(/# expect (error|warning): ([^#]*)/g)) {
          out.push({ file, line: i + 1, severity: m[1]!, message: m[2]!.trim() });
        }
      });
  }
  return out;
}

const FINDING = /^(.+?):(\d+):(\d+): (error|warning): (.*)$/;

describe("a folder with mistakes in several files", () => {
  test("every mistake is reported with its file and line, nothing else is, and the exit code is 1", async () => {
    const result = await run([...PLATFORM, "--org-dir", join(FIXTURES, "org"), ...AT]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(1);
    const findings = result.lines.slice(0, -1).map((line) => {
      const m = FINDING.exec(line);
      if (!m) throw new Error(`not a finding: ${line}`);
      return { file: m[1]!, line: Number(m[2]), col: Number(m[3]), severity: m[4]!, message: m[5]! };
    });
    const expected = await expectations(BROKEN, ".github/flowgate");
    expect(expected.length).toBeGreaterThan(20);
    for (const e of expected) {
      const match = findings.find(
        (f) =>
          f.file === e.file &&
          f.line === e.line &&
          f.severity === e.severity &&
          f.message.includes(e.message),
      );
      expect(match, `${e.file}:${e.line}: ${e.severity}: ${e.message}`).toBeDefined();
    }
    for (const f of findings) {
      const announced = expected.some(
        (e) => e.file === f.file && e.line === f.line && f.message.includes(e.message),
      );
      expect(announced, `unexpected ${f.file}:${f.line}:${f.col}: ${f.message}`).toBe(true);
    }
    expect(findings).toHaveLength(expected.length);
    const errors = expected.filter((e) => e.severity === "error").length;
    expect(result.lines.at(-1)).toBe(`${errors} errors, ${expected.length - errors} warnings in 9 files`);
  });

  test("sorted by file, then line", async () => {
    const { lines } = await run([...PLATFORM, ...AT]);
    const keys = lines.slice(0, -1).map((l) => {
      const m = FINDING.exec(l)!;
      return [m[1]!, Number(m[2]), Number(m[3])] as const;
    });
    const sorted = [...keys].sort((a, b) =>
      a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1] || a[2] - b[2],
    );
    expect(keys).toEqual(sorted);
  });

  test("without the organization's folder, org: gates are not checked", async () => {
    const { stdout, code } = await run([...PLATFORM, ...AT]);
    expect(code).toBe(1);
    expect(stdout).not.toContain("org:frozen");
    expect(stdout).toContain('unknown gate "change-freez"');
  });

  test("--at moves the expiry check", async () => {
    const before = await run([...PLATFORM, "--at", "2024-01-31T23:59:59Z"]);
    expect(before.stdout).not.toContain("expired");
    const after = await run([...PLATFORM, "--at", "2024-02-01T00:00:00Z"]);
    expect(after.stdout).toContain(
      ".github/flowgate/policies.yml:36:14: warning: policy migration-extra-careful expired on 2024-02-01 and is ignored",
    );
  });

  test("--json gives the same findings as data", async () => {
    const text = await run([...PLATFORM, ...AT]);
    const json = await run([...PLATFORM, ...AT, "--json"]);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as {
      ok: boolean;
      errors: number;
      warnings: number;
      files: string[];
      diagnostics: { file: string; line: number; col: number; severity: string; message: string }[];
    };
    expect(report.ok).toBe(false);
    expect(
      report.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}`),
    ).toEqual(text.lines.slice(0, -1));
    expect(text.lines.at(-1)).toBe(
      `${report.errors} errors, ${report.warnings} warnings in ${report.files.length} files`,
    );
    expect(report.files).toContain(".github/flowgate/nested/tags.yaml");
  });
});

describe("clean folders", () => {
  const CLEAN = join(FIXTURES, "clean");

  test("no findings: exit 0 and a summary", async () => {
    const result = await run([...PLATFORM, "--org-dir", join(FIXTURES, "org"), ...AT], CLEAN);
    expect(result.stdout).toBe("0 errors, 0 warnings in 5 files\n");
    expect(result.code).toBe(0);
  });

  test("warnings alone still exit 0", async () => {
    const result = await run([...PLATFORM, ...AT], join(FIXTURES, "warnings-only"));
    expect(result.lines).toEqual([
      ".github/flowgate/policies.yml:6:14: warning: policy migration-extra-careful expired on 2024-02-01 and is ignored",
      "0 errors, 1 warning in 2 files",
    ]);
    expect(result.code).toBe(0);
  });

  test("generators see the repository's directories: the clean stack depends on a generated one", async () => {
    // Scanning another checkout leaves prod-web ungenerated, so the dependency becomes unknown.
    const elsewhere = await run([...PLATFORM, ...AT, "--repo-root", join(FIXTURES, "broken")], CLEAN);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stdout).toContain('unknown stack "prod-web" in dependsOn');
  });
});

describe("which folder", () => {
  const CLEAN = join(FIXTURES, "clean");

  test("DIR may be the repository or its .github/flowgate, relative to the working folder", async () => {
    for (const dir of ["clean", "clean/.github/flowgate"]) {
      const result = await run([dir, ...PLATFORM, ...AT], FIXTURES);
      expect(result.lines).toEqual(["0 errors, 0 warnings in 4 files"]);
      expect(result.code).toBe(0);
    }
  });

  test("a folder without .github/flowgate is read as it is", async () => {
    const result = await run([join(FIXTURES, "org", ".github", "flowgate"), ...PLATFORM, ...AT], FIXTURES);
    expect(result.stdout).toBe("0 errors, 0 warnings in 2 files\n");
    expect(result.code).toBe(0);
  });

  test("with no folder named and no .github/flowgate here, it says so instead of scanning the tree", async () => {
    const empty = await mkdtemp(join(tmpdir(), "flowgate-validate-"));
    try {
      const result = await run([...PLATFORM], empty);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain(`flowgate validate: no .github/flowgate folder in ${empty}`);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  test("an empty folder says so", async () => {
    const empty = await mkdtemp(join(tmpdir(), "flowgate-validate-"));
    try {
      const result = await run([...PLATFORM, empty], empty);
      expect(result.code).toBe(0);
      expect(result.stderr).toContain("no *.yml or *.yaml files in");
      expect(result.stdout).toBe("0 errors, 0 warnings in 1 file\n");
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  test("a broken platform file is reported like any other", async () => {
    const platform = await mkdtemp(join(tmpdir(), "flowgate-platform-"));
    try {
      await writeFile(
        join(platform, "p.yml"),
        "apiVersion: flowgate/v1\nkind: Gate\nmetadata: { name: g }\nspec: {}\n",
      );
      const result = await run(["--platform-dir", platform, ...AT], CLEAN);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/p\.yml:4:7: error: missing field "default" in spec\n/);
    } finally {
      await rm(platform, { recursive: true, force: true });
    }
  });
});

describe("usage errors exit 2 with a message", () => {
  const cases: [string[], string][] = [
    [["--frobnicate"], "unknown option --frobnicate"],
    [["--org"], "--org needs a value"],
    [["--at", "yesterday"], '--at "yesterday" is not a time'],
    [["no/such/folder"], "no such folder: no/such/folder"],
    [[".", "--org-dir", "nowhere"], "no such folder: nowhere"],
    [[".", "--platform-dir", "nowhere"], "no such folder: nowhere"],
    [[".", "--org", "--json"], "--org needs a value"],
    [["a", "b"], 'unexpected argument "b"'],
  ];
  for (const [args, message] of cases) {
    test(args.join(" "), async () => {
      const result = await run(args, FIXTURES);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain(`flowgate validate: ${message}`);
      expect(result.stderr).toContain("usage: flowgate validate [DIR]");
    });
  }

  test("--help prints the usage and exits 0", async () => {
    const result = await run(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("--platform-dir DIR");
  });

  test("--opt=value works like --opt value", async () => {
    const result = await run(
      [`--platform-dir=${join(FIXTURES, "platform")}`, "--at=2026-01-01T00:00:00Z"],
      join(FIXTURES, "clean"),
    );
    expect(result.code).toBe(0);
  });
});
