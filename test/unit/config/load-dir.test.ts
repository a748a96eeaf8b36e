import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { loadConfigDir } from "../../../src/config/load-dir.js";
import { listRepoFiles } from "../../../src/config/repo-files.js";
import { brief, GATE, STACK } from "./helpers.js";

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "flowgate-load-dir-"));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function put(path: string, content: string | Uint8Array): Promise<void> {
  const full = join(root, path);
  await mkdir(join(full, ".."), { recursive: true });
  await writeFile(full, content);
}

test("reads every .yml and .yaml below the folder, sorted, named relative to the display root", async () => {
  await put("cfg/b.yaml", GATE);
  await put("cfg/a/z.yml", STACK);
  await put("cfg/README.md", "not configuration");
  await put("cfg/node_modules/x.yml", "a: [");
  await put("cfg/.git/y.yml", "a: [");
  const set = await loadConfigDir(join(root, "cfg"), "repository", { displayRoot: root });
  expect(set.files).toEqual(["cfg/a/z.yml", "cfg/b.yaml"]);
  expect(set.diagnostics).toEqual([]);
  expect(set.stacks.map((s) => [s.name, s.origin.file, s.origin.level])).toEqual([
    ["billing-database", "cfg/a/z.yml", "repository"],
  ]);
  expect(set.gates.map((g) => g.name)).toEqual(["change-freeze"]);
});

test("the level given applies to every file", async () => {
  await put("org/gates.yml", GATE);
  const set = await loadConfigDir(join(root, "org"), "organization", { displayRoot: root });
  expect(set.gates.map((g) => g.name)).toEqual(["org:change-freeze"]);
});

test("a file that is not UTF-8 is refused, and the others still load", async () => {
  await put("cfg/a.yml", new Uint8Array([0x61, 0x3a, 0x20, 0xff, 0xfe, 0x0a]));
  await put("cfg/b.yml", GATE);
  const set = await loadConfigDir(join(root, "cfg"), "repository", { displayRoot: root });
  expect(set.files).toEqual(["cfg/a.yml", "cfg/b.yml"]);
  expect(set.diagnostics.map((d) => `${d.file} ${brief(d)}`)).toEqual([
    "cfg/a.yml 1:1 error file is not valid UTF-8 text; not read",
  ]);
  expect(set.gates).toHaveLength(1);
});

test("a file over the size limit is refused without being read", async () => {
  await put("cfg/big.yml", `a: ${"x".repeat(2048)}\n`);
  const set = await loadConfigDir(join(root, "cfg"), "repository", { displayRoot: root, maxFileBytes: 1024 });
  expect(set.diagnostics.map(brief)).toEqual(["1:1 error file is 2 KiB, over the 1 KiB limit; not read"]);
});

test("symbolic links are not followed", async () => {
  await put("outside/secret.yml", GATE);
  await mkdir(join(root, "cfg"), { recursive: true });
  await symlink(join(root, "outside"), join(root, "cfg", "linked"));
  await symlink(join(root, "outside", "secret.yml"), join(root, "cfg", "file.yml"));
  const set = await loadConfigDir(join(root, "cfg"), "repository", { displayRoot: root });
  expect(set.files).toEqual([]);
});

test("a missing folder is a diagnostic, not an exception", async () => {
  const set = await loadConfigDir(join(root, "nope"), "repository", { displayRoot: root });
  expect(set.diagnostics.map((d) => `${d.file} ${d.message}`)).toEqual(["nope cannot read folder: ENOENT"]);
});

test("listRepoFiles lists a checkout without .git and node_modules", async () => {
  await put("infra/prod/db/main.tf", "");
  await put("infra/prod/db/.terraform.lock.hcl", "");
  await put(".git/HEAD", "");
  await put("web/node_modules/x/index.js", "");
  await put("README.md", "");
  expect(await listRepoFiles(root)).toEqual([
    "README.md",
    "infra/prod/db/.terraform.lock.hcl",
    "infra/prod/db/main.tf",
  ]);
});
