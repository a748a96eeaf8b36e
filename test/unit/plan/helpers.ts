/** Builders for small Terraform plan documents, shaped as the JSON output format documents them. */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** `../shared/testdata/terraform-plans/` beside the repository (as CI lays it out). */
export const TESTDATA_DIR = fileURLToPath(
  new URL("../../../../shared/testdata/terraform-plans/", import.meta.url),
);
export const PULUMI_DIR = fileURLToPath(new URL("../../fixtures/pulumi/", import.meta.url));

export function testdataFiles(): string[] {
  return readdirSync(TESTDATA_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort();
}

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, "utf8"));
}

export interface ChangeSpec {
  actions: string[];
  mode?: "managed" | "data";
  before?: unknown;
  after?: unknown;
  after_unknown?: unknown;
  before_sensitive?: unknown;
  after_sensitive?: unknown;
  replace_paths?: unknown[];
  action_reason?: string;
  previous_address?: string;
  importing?: unknown;
  deposed?: string;
}

/** One entry of `resource_changes`; the type and name come from the address. */
export function rc(address: string, spec: ChangeSpec): Record<string, unknown> {
  const parts = address.replace(/\[[^\]]*\]$/, "").split(".");
  const name = parts[parts.length - 1];
  const type = parts[parts.length - 2];
  const { mode, action_reason, previous_address, deposed, ...change } = spec;
  const entry: Record<string, unknown> = {
    address,
    mode: mode ?? (parts.includes("data") ? "data" : "managed"),
    type,
    name,
    provider_name: "registry.terraform.io/hashicorp/test",
    change: {
      before: null,
      after: null,
      after_unknown: {},
      before_sensitive: false,
      after_sensitive: false,
      ...change,
    },
  };
  if (action_reason !== undefined) entry.action_reason = action_reason;
  if (previous_address !== undefined) entry.previous_address = previous_address;
  if (deposed !== undefined) entry.deposed = deposed;
  return entry;
}

export function tfPlan(parts: {
  changes?: unknown[];
  drift?: unknown[];
  outputs?: Record<string, unknown>;
  extra?: Record<string, unknown>;
}): Record<string, unknown> {
  const plan: Record<string, unknown> = {
    format_version: "1.2",
    terraform_version: "1.9.8",
    planned_values: { root_module: {} },
    resource_changes: parts.changes ?? [],
    configuration: { root_module: {} },
    ...parts.extra,
  };
  if (parts.drift !== undefined) plan.resource_drift = parts.drift;
  if (parts.outputs !== undefined) plan.output_changes = parts.outputs;
  return plan;
}

export const SHA = "0123456789abcdef0123456789abcdef01234567";
export const META = { jobId: "job-01HZX", stack: "billing-database", sha: SHA, operation: "plan" as const };
