/**
 * Workflow files and runs: reading a workflow's `workflow_dispatch` inputs and `run-name`,
 * creating dispatched runs, finishing them and attaching their artifacts.
 */
import { strToU8, zipSync } from "fflate";
import { parse } from "yaml";
import type {
  ArtifactState,
  RepoState,
  RunConclusion,
  RunState,
  Store,
  UserState,
  WorkflowState,
} from "./state.js";
import { iso, nodeId } from "./state.js";

export interface DispatchInput {
  required: boolean;
  default: string | undefined;
  type: string;
  options: string[] | undefined;
}

export interface WorkflowDefinition {
  name: string | undefined;
  runName: string | undefined;
  /** undefined when the workflow has no `workflow_dispatch` trigger */
  inputs: Map<string, DispatchInput> | undefined;
}

/** Reads what a dispatch needs from a workflow file; a file that is not YAML is an error value. */
export function readWorkflow(
  text: string,
): { ok: true; value: WorkflowDefinition } | { ok: false; error: string } {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (cause) {
    return {
      ok: false,
      error: `invalid workflow file: ${cause instanceof Error ? cause.message : String(cause)}`,
    };
  }
  if (doc === null || typeof doc !== "object")
    return { ok: false, error: "invalid workflow file: not a mapping" };
  const root = doc as Record<string, unknown>;
  const on = root.on;
  let dispatch: unknown;
  let hasDispatch = false;
  if (on === "workflow_dispatch") hasDispatch = true;
  else if (Array.isArray(on)) hasDispatch = on.includes("workflow_dispatch");
  else if (on && typeof on === "object" && "workflow_dispatch" in on) {
    hasDispatch = true;
    dispatch = (on as Record<string, unknown>).workflow_dispatch;
  }
  let inputs: Map<string, DispatchInput> | undefined;
  if (hasDispatch) {
    inputs = new Map();
    const declared = (dispatch as { inputs?: Record<string, unknown> } | null)?.inputs ?? {};
    for (const [key, spec] of Object.entries(declared)) {
      const s = (spec ?? {}) as Record<string, unknown>;
      inputs.set(key, {
        required: s.required === true,
        default: s.default === undefined ? undefined : String(s.default),
        type: typeof s.type === "string" ? s.type : "string",
        options: Array.isArray(s.options) ? s.options.map(String) : undefined,
      });
    }
  }
  return {
    ok: true,
    value: {
      name: typeof root.name === "string" ? root.name : undefined,
      runName: typeof root["run-name"] === "string" ? root["run-name"] : undefined,
      inputs,
    },
  };
}

/** Checks dispatch inputs like GitHub: no unknown ones, required ones present, choices respected. */
export function checkInputs(
  definition: WorkflowDefinition,
  given: Record<string, unknown>,
): string | Record<string, string> {
  const declared = definition.inputs ?? new Map<string, DispatchInput>();
  const keys = Object.keys(given);
  if (keys.length > 25) return "you may only define up to 25 `inputs` for a `workflow_dispatch` event";
  const unknown = keys.filter((k) => !declared.has(k));
  if (unknown.length > 0) return `Unexpected inputs provided: ${JSON.stringify(unknown)}`;
  const values: Record<string, string> = {};
  for (const [key, spec] of declared) {
    const raw = given[key];
    if (raw !== undefined && !["string", "number", "boolean"].includes(typeof raw)) {
      return `Provided value for input '${key}' is not a string, number or boolean`;
    }
    const value = raw === undefined ? spec.default : String(raw);
    if (value === undefined) {
      if (spec.required) return `Required input '${key}' not provided`;
      continue;
    }
    if (spec.type === "choice" && spec.options && !spec.options.includes(value)) {
      return `Provided value '${value}' for input '${key}' not in the list of allowed values`;
    }
    values[key] = value;
  }
  return values;
}

/** Evaluates the `${{ inputs.x }}` / `${{ github.event.inputs.x }}` / `${{ github.actor }}` parts of a run-name. */
export function renderRunName(
  template: string,
  inputs: Record<string, string>,
  actor: string,
  ref: string,
): string {
  return template.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => {
    const input = /^(?:github\.event\.)?inputs\.([A-Za-z0-9_-]+)$/.exec(expr);
    if (input?.[1]) return inputs[input[1]] ?? "";
    if (expr === "github.actor" || expr === "github.triggering_actor") return actor;
    if (expr === "github.ref_name") return ref;
    return "";
  });
}

export function workflowPath(file: string): string {
  return file.startsWith(".github/workflows/") ? file : `.github/workflows/${file}`;
}

export function registerWorkflow(
  store: Store,
  repo: RepoState,
  path: string,
  name: string | undefined,
  now: Date,
): WorkflowState {
  const known = repo.workflows.get(path);
  if (known) return known;
  const id = store.nextId("workflow", 60_000_000);
  const wf: WorkflowState = {
    id,
    nodeId: nodeId("W", id),
    path,
    name: name ?? path,
    createdAt: iso(now),
    runCount: 0,
  };
  repo.workflows.set(path, wf);
  return wf;
}

export interface NewRun {
  workflow: WorkflowState;
  name: string;
  displayTitle: string;
  headBranch: string;
  headSha: string;
  actor: UserState;
  inputs: Record<string, string>;
  event: string;
}

export function createRun(store: Store, repo: RepoState, input: NewRun, now: Date): RunState {
  const id = store.nextId("run", 20_000_000_000);
  input.workflow.runCount += 1;
  const run: RunState = {
    id,
    nodeId: nodeId("WFR", id),
    repo,
    workflow: input.workflow,
    name: input.name,
    displayTitle: input.displayTitle,
    event: input.event,
    status: "queued",
    conclusion: null,
    headBranch: input.headBranch,
    headSha: input.headSha,
    runNumber: input.workflow.runCount,
    runAttempt: 1,
    actor: input.actor,
    triggeringActor: input.actor,
    createdAt: iso(now),
    updatedAt: iso(now),
    runStartedAt: iso(now),
    checkSuiteId: store.nextId("check_suite", 5_000_000),
    inputs: input.inputs,
  };
  repo.runs.set(id, run);
  return run;
}

export function finishRun(run: RunState, conclusion: RunConclusion, now: Date): void {
  run.status = "completed";
  run.conclusion = conclusion;
  run.updatedAt = iso(now);
}

/** Zips `result.json` the way `actions/upload-artifact` would and attaches it to the run. */
export function attachResult(
  store: Store,
  run: RunState,
  name: string,
  result: object,
  now: Date,
): ArtifactState {
  const id = store.nextId("artifact", 800_000_000);
  const zip = zipSync({ "result.json": strToU8(JSON.stringify(result, null, 2)) });
  const expires = new Date(now.getTime() + store.artifactRetentionDays * 86_400_000);
  const artifact: ArtifactState = {
    id,
    nodeId: nodeId("MDg6QXJ0aWZhY3Q", id),
    repo: run.repo,
    runId: run.id,
    name,
    zip,
    createdAt: iso(now),
    expiresAt: iso(expires),
    expired: false,
  };
  run.repo.artifacts.set(id, artifact);
  return artifact;
}

/** The `result.json` a successful flowgate workflow would upload, built from the dispatch inputs. */
export function defaultResult(run: RunState): object {
  return {
    version: 1,
    jobId: run.inputs.job_id ?? "",
    stack: run.inputs.stack ?? "",
    operation: run.inputs.operation ?? "plan",
    sha: run.inputs.sha || run.headSha,
    outcome: "success",
    summary: { add: 0, change: 0, destroy: 0, replace: 0 },
    resources: [],
    estimatedCost: 0,
    text: "No changes. Your infrastructure matches the configuration.",
  };
}

/** A workflow that accepts flowgate's dispatch inputs and names its runs `flowgate <job_id>`. */
export function defaultWorkflowYaml(name = "flowgate"): string {
  const inputs = ["job_id", "stack", "operation", "sha", "path", "refresh", "plan_run_id"];
  return [
    `name: ${name}`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a template
    "run-name: flowgate ${{ inputs.job_id }}",
    "on:",
    "  workflow_dispatch:",
    "    inputs:",
    ...inputs.flatMap((input) => [
      `      ${input}:`,
      `        required: ${input === "plan_run_id" ? "false" : "true"}`,
      "        type: string",
    ]),
    "jobs:",
    "  run:",
    "    runs-on: ubuntu-latest",
    "    steps:",
    "      - run: echo done",
    "",
  ].join("\n");
}
