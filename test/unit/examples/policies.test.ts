/**
 * The shipped policy examples are alternatives to copy: each validates clean where it belongs
 * (organization patterns in the organization's folder), and the two pairs that govern the same
 * selector are named in policies/examples/README.md.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CliIO } from "../../../src/cli/io.js";
import { runValidate } from "../../../src/cli/validate.js";
import { packageRoot } from "../../../src/paths.js";

const EXAMPLES = join(packageRoot(), "policies", "examples");
const ORGANIZATION = new Set(["emergency-override.yaml", "tiered-approvals.yaml"]);

async function validate(repoFiles: string[], orgFiles: string[]) {
  const root = mkdtempSync(join(tmpdir(), "flowgate-examples-"));
  const place = (files: string[], dir: string) => {
    for (const f of files) cpSync(join(EXAMPLES, f), join(root, dir, ".github", "flowgate", f));
  };
  place(repoFiles, "repo");
  place(orgFiles, "org");
  if (repoFiles.length === 0)
    cpSync(join(EXAMPLES, "README.md"), join(root, "repo", ".github", "flowgate", "README.md"));
  const lines: string[] = [];
  const io: CliIO = {
    cwd: join(root, "repo"),
    env: {},
    stdout: (t) => lines.push(t),
    stderr: (t) => lines.push(t),
  };
  const args = orgFiles.length > 0 ? ["--org", "acmecorp", "--org-dir", join(root, "org")] : [];
  const code = await runValidate(args, io);
  return { code, out: lines.join("") };
}

describe("policies/examples", () => {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith(".yaml"));

  for (const file of files) {
    it(`${file} validates with no error and no warning where it belongs`, async () => {
      const org = ORGANIZATION.has(file);
      const { code, out } = await validate(org ? [] : [file], org ? [file] : []);
      expect(out).toMatch(/^0 errors, 0 warnings in \d+ files?$/m);
      expect(code).toBe(0);
    });
  }

  it("all but one of each same-selector pair validate together", async () => {
    const repo = files.filter((f) => !ORGANIZATION.has(f) && f !== "business-hours.yaml");
    const { code, out } = await validate(repo, ["emergency-override.yaml"]);
    expect(out).toMatch(/^0 errors, 0 warnings in \d+ files$/m);
    expect(code).toBe(0);
  });

  it("the README names the pairs that cannot be copied together", () => {
    const readme = readFileSync(join(EXAMPLES, "README.md"), "utf8");
    expect(readme).toContain("`production-safety.yaml` or `business-hours.yaml`");
    expect(readme).toContain("`emergency-override.yaml` or `tiered-approvals.yaml`");
  });
});
