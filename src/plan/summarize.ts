/**
 * `summarizePlan`: a Terraform/OpenTofu plan (`terraform show -json`) or a Pulumi preview
 * (`pulumi preview --json`) → the `result.json` of SPEC §5. Pure: parsed JSON in, a result or a
 * message out.
 */
import type { Parsed } from "../model/parsed.js";
import { looksLikePulumi, pulumiResources, readPulumiPreview } from "./pulumi.js";
import { pulumiText } from "./pulumi-text.js";
import {
  checkResources,
  countSummary,
  MAX_RESOURCES,
  type ResultJson,
  type ResultResource,
} from "./result.js";
import { looksLikeTerraform, readTerraformPlan, terraformResources } from "./terraform.js";
import { terraformText } from "./terraform-text.js";

export interface SummarizeMeta {
  jobId?: string;
  stack?: string;
  operation?: "plan" | "apply";
  sha?: string;
  estimatedCost?: number;
}

export interface SummarizeOptions {
  /** size of `text` in bytes before it is cut; defaults to 1 MiB */
  textBudgetBytes?: number;
}

const NOT_A_PLAN =
  "the input is not a plan: expected the output of `terraform show -json PLANFILE` (Terraform/OpenTofu) or `pulumi preview --json`";

const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });

function header(meta: SummarizeMeta): Pick<ResultJson, "version" | "jobId" | "stack" | "operation" | "sha"> {
  return {
    version: 1,
    jobId: meta.jobId ?? "",
    stack: meta.stack ?? "",
    operation: meta.operation ?? "plan",
    sha: meta.sha ?? "",
  };
}

function withCost(result: ResultJson, meta: SummarizeMeta): ResultJson {
  if (typeof meta.estimatedCost === "number" && Number.isFinite(meta.estimatedCost)) {
    result.estimatedCost = meta.estimatedCost;
  }
  return result;
}

/** Refuses what result.json could not hold, so the app never receives a result it must reject. */
function checkLimits(resources: ResultResource[], field: string): string | undefined {
  if (resources.length > MAX_RESOURCES) {
    return `the plan changes ${resources.length} resources; result.json holds at most ${MAX_RESOURCES}: split the stack`;
  }
  const checked = checkResources(resources, field);
  return checked.ok ? undefined : `the plan cannot be summarised: ${checked.error}`;
}

export function summarizePlan(
  plan: unknown,
  meta: SummarizeMeta = {},
  options: SummarizeOptions = {},
): Parsed<ResultJson> {
  if (typeof plan !== "object" || plan === null || Array.isArray(plan)) return fail(NOT_A_PLAN);
  const doc = plan as Record<string, unknown>;

  if (looksLikeTerraform(doc)) {
    const read = readTerraformPlan(doc);
    if (!read.ok) return read;
    const { resources, drift } = terraformResources(read.value);
    const problem = checkLimits(resources, "resources") ?? checkLimits(drift, "drift");
    if (problem !== undefined) return fail(problem);
    const summary = countSummary(resources);
    const result: ResultJson = {
      ...header(meta),
      outcome: "success",
      summary,
      resources,
      text: terraformText(read.value, summary, options.textBudgetBytes),
    };
    if (drift.length > 0) result.drift = drift;
    return { ok: true, value: withCost(result, meta) };
  }

  if (looksLikePulumi(doc)) {
    const read = readPulumiPreview(doc);
    if (!read.ok) return read;
    const resources = pulumiResources(read.value);
    const problem = checkLimits(resources, "resources");
    if (problem !== undefined) return fail(problem);
    const summary = countSummary(resources);
    const result: ResultJson = {
      ...header(meta),
      outcome: "success",
      summary,
      resources,
      text: pulumiText(read.value, summary, options.textBudgetBytes),
    };
    return { ok: true, value: withCost(result, meta) };
  }

  return fail(NOT_A_PLAN);
}

/** The result a workflow uploads when the plan itself failed, so flowgate can say why. */
export function failureResult(message: string, meta: SummarizeMeta = {}): ResultJson {
  return {
    ...header(meta),
    outcome: "failure",
    summary: { add: 0, change: 0, destroy: 0, replace: 0 },
    resources: [],
    text: message,
  };
}
