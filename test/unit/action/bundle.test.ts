/**
 * The committed bundle of the flowgate-summarize action is what `npm run build:action` makes from
 * today's sources: a change to the summariser that is not rebuilt fails here, not in a user's run.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const COMMITTED = join(ROOT, "examples/actions/flowgate-summarize/index.cjs");
const run = promisify(execFile);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "flowgate-bundle-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

it("the committed index.cjs is byte for byte a fresh build (else run npm run build:action)", async () => {
  const fresh = join(dir, "index.cjs");
  await run(process.execPath, ["scripts/build-action.mjs", fresh], { cwd: ROOT });
  const built = readFileSync(fresh);
  expect(built.length).toBeGreaterThan(10_000);
  // Compared as text so a difference shows where it is.
  expect(readFileSync(COMMITTED, "utf8")).toBe(built.toString("utf8"));
});

it("the bundle depends on nothing the action folder lacks", () => {
  const bundle = readFileSync(COMMITTED, "utf8");
  const required = [...bundle.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
  expect(required.length).toBeGreaterThan(0);
  for (const name of required) expect(name).toMatch(/^node:/);
});
