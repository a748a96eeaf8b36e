/**
 * The Terraform example's own shell steps, run with bash as the runner runs them (`bash
 * --noprofile --norc -eo pipefail`), against a stand-in `terraform` that fails where told; then
 * the error artifact is laid out as download-artifact lays it out and the committed action runs
 * with the workflow's own `with:`. A failed init, plan or apply must end as a result.json with
 * outcome "failure" and the tool's error.
 */
import { execFile, spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseResultJson } from "../../../src/plan/result.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const BUNDLE = join(ROOT, "examples/actions/flowgate-summarize/index.cjs");
const PLAN_JSON = join(ROOT, "../shared/testdata/terraform-plans/basic-create.json");
const SHA = "a".repeat(40);
const run = promisify(execFile);

interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string>;
}
type Workflow = { jobs: Record<string, { steps: Step[] }> };
const workflow = parse(readFileSync(join(ROOT, "examples/terraform/flowgate.yml"), "utf8")) as Workflow;

/** Prints a Terraform-style framed error in colour to stderr and fails when $FAIL names the command. */
const FAKE_TERRAFORM = `#!/bin/bash
if [ "$1" = "$FAIL" ]; then
  printf 'progress on stdout\\n'
  printf '\\033[31m╷\\033[0m\\n\\033[31m│\\033[0m \\033[1m\\033[31mError: \\033[0m%s failed for the test\\n\\033[31m╵\\033[0m\\n' "$1" >&2
  exit 1
fi
case "$1" in
  init) echo "Terraform has been successfully initialized!" ;;
  plan) echo "warning: a warning on stderr" >&2; touch tfplan ;;
  show) cat "$PLAN_JSON" ;;
  apply) echo "Apply complete!" ;;
esac
`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "flowgate-steps-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a job's `run:` steps in order, honouring `if:` the way these steps use it. */
function runJob(job: string, fail: string): { temp: string; stack: string; failed: boolean } {
  const temp = join(dir, "runner-temp");
  const stack = join(dir, "workspace/infra/api");
  const bin = join(dir, "bin");
  for (const d of [temp, stack, bin]) mkdirSync(d, { recursive: true });
  writeFileSync(join(bin, "terraform"), FAKE_TERRAFORM);
  chmodSync(join(bin, "terraform"), 0o755);
  const output = join(temp, "github-output");
  writeFileSync(output, "");
  const env = {
    PATH: `${bin}:${process.env.PATH ?? ""}`,
    FAIL: fail,
    PLAN_JSON,
    TF_CLI: "terraform",
    RUNNER_TEMP: temp,
    GITHUB_OUTPUT: output,
    GITHUB_JOB: job,
    FLOWGATE_REFRESH: "true",
    FLOWGATE_OPERATION: job === "plan" ? "plan" : "apply",
  };
  let failed = false;
  for (const step of workflow.jobs[job]!.steps) {
    if (step.run === undefined) continue;
    const condition = step.if ?? "success()";
    const outputs = Object.fromEntries(
      readFileSync(output, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split("=") as [string, string]),
    );
    const runs =
      condition === "failure()"
        ? failed
        : condition === "steps.plan.outputs.status != '0'"
          ? !failed && outputs.status !== "0"
          : condition === "inputs.plan_run_id == ''"
            ? !failed
            : condition === "success()"
              ? !failed
              : (() => {
                  throw new Error(`the test does not know the condition ${condition}`);
                })();
    if (!runs) continue;
    const cwd = step.name === "Keep the error for flowgate" ? temp : stack;
    const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run], { cwd, env });
    if (r.status !== 0) failed = true;
  }
  return { temp, stack, failed };
}

/** The result job: artifacts as download-artifact lays them out, then the action with its `with:`. */
async function resultJob(temp: string, stack: string) {
  const ws = join(dir, "result-workspace");
  mkdirSync(join(ws, "flowgate-run/flowgate-plan"), { recursive: true });
  if (existsSync(join(stack, "plan.json")))
    copyFileSync(join(stack, "plan.json"), join(ws, "flowgate-run/flowgate-plan/plan.json"));
  if (existsSync(join(temp, "flowgate-error.txt"))) {
    mkdirSync(join(ws, "flowgate-run/flowgate-error"), { recursive: true });
    copyFileSync(
      join(temp, "flowgate-error.txt"),
      join(ws, "flowgate-run/flowgate-error/flowgate-error.txt"),
    );
  }
  const summarize = workflow.jobs.result!.steps.find(
    (s) => s.uses === "./.github/actions/flowgate-summarize",
  )!;
  const inputs = Object.fromEntries(
    Object.entries(summarize.with ?? {}).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]),
  );
  const env = {
    PATH: process.env.PATH ?? "",
    FLOWGATE_JOB_ID: "job-1",
    FLOWGATE_STACK: "api",
    FLOWGATE_OPERATION: "plan",
    FLOWGATE_SHA: SHA,
    ...inputs,
  };
  const code = await run(process.execPath, [BUNDLE], { cwd: ws, env }).then(
    () => 0,
    (e: { code: number }) => e.code,
  );
  const parsed = parseResultJson(JSON.parse(readFileSync(join(ws, "result.json"), "utf8")));
  if (!parsed.ok) throw new Error(parsed.error);
  return { code, result: parsed.value };
}

describe("the Terraform example's steps when a command fails", () => {
  for (const [job, command] of [
    ["plan", "init"],
    ["plan", "plan"],
    ["apply", "init"],
    ["apply", "apply"],
  ] as const) {
    it(`${job} job, ${command} fails: result.json has outcome failure and the error, without colour`, async () => {
      const { temp, stack, failed } = runJob(job, command);
      expect(failed).toBe(true);
      const error = readFileSync(join(temp, "flowgate-error.txt"), "utf8");
      expect(error).toContain(`terraform ${command} failed:`);
      expect(error).not.toContain("progress on stdout");
      const { code, result } = await resultJob(temp, stack);
      expect(code).toBe(1);
      expect(result.outcome).toBe("failure");
      expect(result.text).toContain(`Error: ${command} failed for the test`);
      expect(result.text).not.toContain("\u001b");
    });
  }

  it("the stand-in succeeds when nothing fails, so the failures above come from the steps", async () => {
    const { temp, stack, failed } = runJob("plan", "nothing");
    expect(failed).toBe(false);
    expect(existsSync(join(temp, "flowgate-error.txt"))).toBe(false);
    const { code, result } = await resultJob(temp, stack);
    expect(code).toBe(0);
    expect(result.outcome).toBe("success");
  });
});
