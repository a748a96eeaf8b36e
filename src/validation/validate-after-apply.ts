/**
 * Checks of `verify`, `progression` and `rollout` that the schema cannot make (issue #13): URLs and their
 * `${env.NAME}` references, headers that would carry a secret written in the file, conditions, durations,
 * workflow inputs flowgate sets itself, and environments in `progression.after` that no stack has.
 */

import type { HttpProbe, ProbeTiming, PrometheusProbe, WorkflowProbe } from "../config/after-apply-types.js";
import { diagnosticAt } from "../config/diagnostics.js";
import { fieldSetsOf } from "../config/flow-fields.js";
import { didYouMean } from "../config/suggest.js";
import type { Diagnostic, NodePath, Policy, Progression, VerifyCheck } from "../config/types.js";
import { compileProbeCondition, type ProbeConditionKind } from "../engine/probe-conditions.js";
import { checkName, kindsOf, MAX_PROBE_FOR_MS, MAX_PROBE_TIMEOUT_MS } from "../engine/verification.js";
import { parseDuration } from "../lang/time/duration.js";
import { checkProbeHeader, checkProbeUrl } from "./validate-probe-url.js";

/** Inputs every stack job gets (SPEC §5): a verification workflow cannot set them. */
const STACK_JOB_INPUTS: ReadonlySet<string> = new Set([
  "job_id",
  "stack",
  "operation",
  "sha",
  "path",
  "refresh",
  "plan_run_id",
]);

type Report = (path: NodePath, message: string, severity?: "error" | "warning") => void;

function checkDuration(
  text: string | undefined,
  path: NodePath,
  limitMs: number,
  limit: string,
  report: Report,
) {
  if (text === undefined) return;
  const parsed = parseDuration(text);
  const name = String(path[path.length - 1]);
  if (!parsed.ok) report(path, `${name}: ${parsed.error}`);
  else if (parsed.value > limitMs) report(path, `${name}: "${text}" is longer than the limit of ${limit}`);
}

function checkTiming(timing: ProbeTiming, path: NodePath, report: Report): void {
  checkDuration(timing.interval, [...path, "interval"], MAX_PROBE_FOR_MS, "24h", report);
  checkDuration(timing.for, [...path, "for"], MAX_PROBE_FOR_MS, "24h", report);
  checkDuration(timing.timeout, [...path, "timeout"], MAX_PROBE_TIMEOUT_MS, "60s", report);
}

function checkCondition(
  kind: ProbeConditionKind,
  source: string | undefined,
  path: NodePath,
  report: Report,
) {
  if (source === undefined) return;
  const compiled = compileProbeCondition(kind, source);
  if (!compiled.ok) report(path, `invalid condition: ${compiled.error}`);
}

function checkHeaders(headers: Record<string, string> | undefined, path: NodePath, report: Report): void {
  for (const [name, value] of Object.entries(headers ?? {})) {
    const problem = checkProbeHeader(name, value);
    if (problem) report([...path, "headers", name], problem);
  }
}

function checkHttp(probe: HttpProbe, path: NodePath, report: Report): void {
  const problem = checkProbeUrl("url", probe.url);
  if (problem) report([...path, "url"], problem);
  checkCondition("http", probe.condition, [...path, "condition"], report);
  checkHeaders(probe.headers, path, report);
  checkTiming(probe, path, report);
}

function checkPrometheus(probe: PrometheusProbe, path: NodePath, report: Report): void {
  const problem = checkProbeUrl("server", probe.server);
  if (problem) report([...path, "server"], problem);
  checkCondition("prometheus", probe.condition, [...path, "condition"], report);
  checkHeaders(probe.headers, path, report);
  checkTiming(probe, path, report);
}

function checkWorkflow(probe: WorkflowProbe, path: NodePath, report: Report): void {
  for (const input of Object.keys(probe.inputs ?? {})) {
    if (STACK_JOB_INPUTS.has(input))
      report(
        [...path, "inputs", input],
        `input "${input}" is set by flowgate for every job; choose another name`,
      );
  }
}

function checkVerify(checks: readonly VerifyCheck[], path: NodePath, report: Report): void {
  const names = new Map<string, number>();
  checks.forEach((check, i) => {
    const at: NodePath = [...path, i];
    const kinds = kindsOf(check);
    if (kinds.length > 1) {
      report(
        [...at, kinds[1]!],
        `a verify check sets exactly one of http, prometheus, workflow; this one sets ${kinds.join(" and ")}`,
      );
    }
    const name = checkName(check, i);
    const earlier = names.get(name);
    if (earlier !== undefined)
      report(
        check.name === undefined ? at : [...at, "name"],
        `two verify checks are named "${name}" (the other is entry ${earlier + 1}); checks are reported by name`,
      );
    else names.set(name, i);
    if (check.http) checkHttp(check.http, [...at, "http"], report);
    if (check.prometheus) checkPrometheus(check.prometheus, [...at, "prometheus"], report);
    if (check.workflow) checkWorkflow(check.workflow, [...at, "workflow"], report);
  });
}

function checkProgression(
  policy: Policy,
  progression: Progression,
  path: NodePath,
  environments: ReadonlySet<string>,
  report: Report,
): void {
  progression.after.forEach((environment, i) => {
    const at: NodePath = [...path, "after", i];
    if (environments.size === 0 || environments.has(environment)) return;
    const known = [...environments].sort();
    const hint = didYouMean(environment, known) || ` (the environments are ${known.slice(0, 10).join(", ")})`;
    const message = `unknown environment "${environment}" in progression.after: no stack has it${hint}`;
    // Platform and organization policies serve many repositories: an environment this one lacks is not wrong.
    report(at, message, policy.origin.level === "repository" ? "error" : "warning");
  });
  checkDuration(progression.soak, [...path, "soak"], Number.POSITIVE_INFINITY, "", report);
}

/** Every finding about the after-apply fields of one policy; `environments` are those of the repository's stacks. */
export function checkAfterApplyFields(policy: Policy, environments: ReadonlySet<string>): Diagnostic[] {
  const found: Diagnostic[] = [];
  const report: Report = (path, message, severity = "error") => {
    found.push(diagnosticAt(policy.origin, path, severity, message));
  };
  for (const { fields, path } of fieldSetsOf(policy)) {
    if (fields.verify) checkVerify(fields.verify, [...path, "verify"], report);
    if (fields.progression)
      checkProgression(policy, fields.progression, [...path, "progression"], environments, report);
  }
  return found;
}
