/**
 * The flowgate-summarize action as a workflow runs it: the committed bundle, started with node,
 * its inputs as `INPUT_*` variables and the job's `FLOWGATE_*` variables, in a directory laid out
 * as the example workflows' result job lays it out. Its result.json must be byte for byte what
 * `flowgate summarize-plan` writes, for every real plan, and a failed run must still give a result.
 */
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { CliIO } from "../../../src/cli/io.js";
import { runSummarizePlan } from "../../../src/cli/summarize-plan.js";
import { parseResultJson, type ResultJson } from "../../../src/plan/result.js";
import { PULUMI_DIR, SHA, TESTDATA_DIR, testdataFiles } from "../plan/helpers.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const ACTION_DIR = join(ROOT, "examples/actions/flowgate-summarize");
const BUNDLE = join(ACTION_DIR, "index.cjs");
const run = promisify(execFile);

/** What the example workflows set for every job (from the dispatch's inputs). */
const FLOWGATE_ENV = {
  FLOWGATE_JOB_ID: "job-42",
  FLOWGATE_STACK: "billing-database",
  FLOWGATE_OPERATION: "plan",
  FLOWGATE_SHA: SHA,
};
/** The `with:` of the workflows' summarise step. */
const PLAN = "flowgate-run/flowgate-plan/plan.json";
const ERROR_LOG = "flowgate-run/flowgate-error/flowgate-error.txt";
const WITH = { plan: PLAN, "error-log": ERROR_LOG, out: "result.json" };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "flowgate-action-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The runner's environment for an action: each input as INPUT_<NAME>, hyphens kept. */
function inputEnv(inputs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]));
}

/** Runs the bundle as the runner does (`node index.cjs`, in the workspace); never throws. */
async function runAction(cwd: string, inputs: Record<string, string> = WITH) {
  const env = { PATH: process.env.PATH ?? "", ...FLOWGATE_ENV, ...inputEnv(inputs) };
  try {
    const { stderr } = await run(process.execPath, [BUNDLE], { cwd, env });
    return { code: 0, stderr };
  } catch (error) {
    const e = error as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

/** `flowgate summarize-plan` in-process with the arguments the action's inputs stand for. */
async function runCli(cwd: string): Promise<number> {
  const io: CliIO = { stdout: () => {}, stderr: () => {}, cwd, env: { ...FLOWGATE_ENV } };
  return runSummarizePlan([PLAN, "--out", "result.json", "--error", ERROR_LOG], io);
}

function workspace(name: string, plan?: string, errorLog?: string): string {
  const ws = join(dir, name);
  mkdirSync(join(ws, "flowgate-run/flowgate-plan"), { recursive: true });
  if (plan !== undefined) copyFileSync(plan, join(ws, PLAN));
  if (errorLog !== undefined) {
    mkdirSync(join(ws, "flowgate-run/flowgate-error"), { recursive: true });
    writeFileSync(join(ws, ERROR_LOG), errorLog);
  }
  return ws;
}

function readResult(ws: string): { raw: string; result: ResultJson } {
  const raw = readFileSync(join(ws, "result.json"), "utf8");
  const parsed = parseResultJson(JSON.parse(raw));
  if (!parsed.ok) throw new Error(parsed.error);
  return { raw, result: parsed.value };
}

/** Every scalar under a `true` in a Terraform sensitivity mask. */
function sensitiveLeaves(value: unknown, mask: unknown, under = false, out: string[] = []): string[] {
  const hidden = under || mask === true;
  if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      const child =
        typeof mask === "object" && mask !== null ? (mask as Record<string, unknown>)[k] : undefined;
      sensitiveLeaves(v, child, hidden, out);
    }
  } else if (hidden && value !== null && value !== undefined) out.push(String(value));
  return out;
}

function sensitiveValues(planFile: string): string[] {
  const plan = JSON.parse(readFileSync(planFile, "utf8")) as {
    resource_changes?: { change: Record<string, unknown> }[];
    output_changes?: Record<string, Record<string, unknown>>;
  };
  const found: string[] = [];
  const changes = [
    ...(plan.resource_changes ?? []).map((r) => r.change),
    ...Object.values(plan.output_changes ?? {}),
  ];
  for (const c of changes) {
    sensitiveLeaves(c.before, c.before_sensitive, false, found);
    sensitiveLeaves(c.after, c.after_sensitive, false, found);
  }
  // Very short values ("1", "on") also appear as ordinary words; longer ones are the secrets.
  return found.filter((v) => v.length >= 4);
}

describe("the action's metadata", () => {
  it("runs the committed bundle on node24 with the inputs the workflows pass", () => {
    const action = parse(readFileSync(join(ACTION_DIR, "action.yml"), "utf8")) as {
      inputs: Record<string, { required?: boolean }>;
      runs: { using: string; main: string };
    };
    expect(action.runs).toEqual({ using: "node24", main: "index.cjs" });
    expect(Object.keys(action.inputs).sort()).toEqual(["error-log", "estimated-cost", "out", "plan"]);
    expect(action.inputs.plan?.required).toBe(true);
  });
});

const PLANS = [
  ...testdataFiles().map((f) => ({ name: `terraform ${f}`, file: `${TESTDATA_DIR}${f}` })),
  ...["error.json", "no-changes.json", "replace.json", "update.json"].map((f) => ({
    name: `pulumi ${f}`,
    file: `${PULUMI_DIR}${f}`,
  })),
];

describe("the bundle, run as the workflow runs it, on every real plan", () => {
  it("finds the plans (the loop below is not empty)", () => {
    expect(PLANS.length).toBeGreaterThanOrEqual(15);
  });

  for (const { name, file } of PLANS) {
    it(`${name}: writes the CLI's result.json, valid for the app, with no sensitive value`, async () => {
      const viaAction = workspace("action", file);
      const viaCli = workspace("cli", file);
      const action = await runAction(viaAction);
      const cliCode = await runCli(viaCli);
      expect(action.code, action.stderr).toBe(cliCode);
      const { raw, result } = readResult(viaAction);
      expect(raw).toBe(readFileSync(join(viaCli, "result.json"), "utf8"));
      expect(result).toMatchObject({ jobId: "job-42", stack: "billing-database", sha: SHA });
      // A plan that failed (errored, or Pulumi's error diagnostics) is a failure with a reason.
      expect(result.outcome).toBe(cliCode === 0 ? "success" : "failure");
      if (result.outcome === "failure") expect(result.text).not.toBe("");
      for (const secret of sensitiveValues(file)) expect(raw).not.toContain(secret);
    });
  }

  it("the sensitive-value check above sees the secrets of the sensitive plan", () => {
    expect(sensitiveValues(`${TESTDATA_DIR}sensitive-values.json`).length).toBeGreaterThan(0);
  });
});

describe("a failed run still gives flowgate a result", () => {
  const TERRAFORM_ERROR =
    "terraform apply failed:\n\u001b[31m╷\u001b[0m\r\n\u001b[31m│\u001b[0m \u001b[1m\u001b[31mError: \u001b[0m\u001b[0m\u001b[1mcreating S3 Bucket (logs): BucketAlreadyExists\u001b[0m\n\u001b[31m╵\u001b[0m\n";

  it("the error output of a failed init, plan or apply wins over a saved plan, as plain text", async () => {
    const ws = workspace("apply-failed", `${TESTDATA_DIR}basic-create.json`, TERRAFORM_ERROR);
    const action = await runAction(ws);
    expect(action.code).toBe(1);
    expect(action.stderr).toContain("Error: creating S3 Bucket (logs): BucketAlreadyExists");
    const { result } = readResult(ws);
    expect(result.outcome).toBe("failure");
    expect(result.resources).toEqual([]);
    expect(result.text).toBe(
      "terraform apply failed:\n╷\n│ Error: creating S3 Bucket (logs): BucketAlreadyExists\n╵",
    );
  });

  it("a plan that failed and was saved anyway adds its own reason after the error output", async () => {
    const ws = workspace(
      "plan-failed",
      `${TESTDATA_DIR}plan-error.json`,
      "terraform plan failed:\nError: boom\n",
    );
    expect((await runAction(ws)).code).toBe(1);
    expect(readResult(ws).result.text).toBe(
      "terraform plan failed:\nError: boom\n\nthe plan failed: terraform reported errored: true; no changes can be summarised",
    );
  });

  it("init failed: no plan at all, the error is the result's text", async () => {
    const ws = workspace(
      "init-failed",
      undefined,
      "terraform init failed:\nError: Failed to query provider\n",
    );
    expect((await runAction(ws)).code).toBe(1);
    const { result } = readResult(ws);
    expect(result).toMatchObject({ outcome: "failure", jobId: "job-42", operation: "plan" });
    expect(result.text).toContain("Error: Failed to query provider");
  });

  it("neither a plan nor an error: a failure that says so and points to the log", async () => {
    const ws = workspace("nothing");
    expect((await runAction(ws)).code).toBe(1);
    const { result } = readResult(ws);
    expect(result.outcome).toBe("failure");
    expect(result.text).toMatch(/the run failed before it produced .*plan\.json .*see the run's log/);
  });

  it("an empty error file is no error: the plan is summarised", async () => {
    const ws = workspace("empty-error", `${TESTDATA_DIR}basic-create.json`, "\n");
    expect((await runAction(ws)).code).toBe(0);
    expect(readResult(ws).result.outcome).toBe("success");
  });
});
