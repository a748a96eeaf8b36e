/**
 * A stack's `verify` list as the workers run it (issue #13): each check with its kind, its name, its defaults
 * filled in and its durations in milliseconds. Invalid entries (validation reports them with file and line)
 * make the whole list fail, so a stack whose checks cannot be run never counts as verified.
 */
import { VERIFY_KINDS } from "../config/after-apply-types.js";
import type { Parsed, VerifyCheck, VerifyKind } from "../config/types.js";
import { parseDuration } from "../lang/time/duration.js";

export const DEFAULT_PROBE_INTERVAL = "30s";
export const DEFAULT_PROBE_TIMEOUT = "10s";
export const MAX_PROBE_TIMEOUT_MS = 60_000;
/** A verification that must hold longer than a day is a typo. */
export const MAX_PROBE_FOR_MS = 24 * 60 * 60_000;
export const DEFAULT_EXPECT_STATUS = 200;

/** When to sample and when to stop. `forMs` 0: one passing sample is enough. */
export interface ProbeSchedule {
  intervalMs: number;
  forMs: number;
  timeoutMs: number;
  failureLimit: number;
}

export interface PlannedHttpCheck {
  kind: "http";
  name: string;
  /** may still contain `${env.NAME}`: substituted when the probe runs */
  url: string;
  expectStatus: number;
  condition?: string;
  headers: Record<string, string>;
  schedule: ProbeSchedule;
}

export interface PlannedPrometheusCheck {
  kind: "prometheus";
  name: string;
  server: string;
  query: string;
  condition: string;
  headers: Record<string, string>;
  schedule: ProbeSchedule;
}

export interface PlannedWorkflowCheck {
  kind: "workflow";
  name: string;
  file: string;
  inputs: Record<string, string>;
}

export type PlannedCheck = PlannedHttpCheck | PlannedPrometheusCheck | PlannedWorkflowCheck;
export type PlannedProbe = PlannedHttpCheck | PlannedPrometheusCheck;

/** The kinds an entry sets; a valid entry sets exactly one. */
export function kindsOf(check: VerifyCheck): VerifyKind[] {
  return VERIFY_KINDS.filter((k) => check[k] !== undefined);
}

/** `http 1`, `prometheus 2` (1-based position in the list) unless the entry has a name. */
export function checkName(check: VerifyCheck, index: number): string {
  return check.name ?? `${kindsOf(check)[0] ?? "check"} ${index + 1}`;
}

type TimingFields = { interval?: string; for?: string; timeout?: string; failureLimit?: number };

/** The schedule of an http or prometheus check, or why it cannot be run. */
export function probeSchedule(timing: TimingFields): Parsed<ProbeSchedule> {
  const interval = parseDuration(timing.interval ?? DEFAULT_PROBE_INTERVAL);
  if (!interval.ok) return { ok: false, error: `interval: ${interval.error}` };
  const timeout = parseDuration(timing.timeout ?? DEFAULT_PROBE_TIMEOUT);
  if (!timeout.ok) return { ok: false, error: `timeout: ${timeout.error}` };
  if (timeout.value > MAX_PROBE_TIMEOUT_MS)
    return { ok: false, error: `timeout: "${timing.timeout}" is longer than the limit of 60s` };
  let forMs = 0;
  if (timing.for !== undefined) {
    const parsed = parseDuration(timing.for);
    if (!parsed.ok) return { ok: false, error: `for: ${parsed.error}` };
    if (parsed.value > MAX_PROBE_FOR_MS)
      return { ok: false, error: `for: "${timing.for}" is longer than the limit of 24h` };
    forMs = parsed.value;
  }
  const failureLimit = timing.failureLimit ?? 0;
  if (!Number.isSafeInteger(failureLimit) || failureLimit < 0)
    return { ok: false, error: `failureLimit must be a whole number of 0 or more, got ${failureLimit}` };
  return { ok: true, value: { intervalMs: interval.value, forMs, timeoutMs: timeout.value, failureLimit } };
}

/** One entry, planned. */
export function planCheck(check: VerifyCheck, index: number): Parsed<PlannedCheck> {
  const kinds = kindsOf(check);
  const name = checkName(check, index);
  if (kinds.length !== 1) {
    const found = kinds.length === 0 ? "none" : kinds.join(" and ");
    return {
      ok: false,
      error: `verify check "${name}" must set exactly one of http, prometheus, workflow (it sets ${found})`,
    };
  }
  if (check.workflow) {
    return {
      ok: true,
      value: { kind: "workflow", name, file: check.workflow.file, inputs: { ...check.workflow.inputs } },
    };
  }
  const probe = check.http ?? check.prometheus!;
  const schedule = probeSchedule(probe);
  if (!schedule.ok) return { ok: false, error: `verify check "${name}": ${schedule.error}` };
  if (check.http) {
    const { url, expectStatus, condition, headers } = check.http;
    return {
      ok: true,
      value: {
        kind: "http",
        name,
        url,
        expectStatus: expectStatus ?? DEFAULT_EXPECT_STATUS,
        ...(condition === undefined ? {} : { condition }),
        headers: { ...headers },
        schedule: schedule.value,
      },
    };
  }
  const { server, query, condition, headers } = check.prometheus!;
  return {
    ok: true,
    value: {
      kind: "prometheus",
      name,
      server,
      query,
      condition,
      headers: { ...headers },
      schedule: schedule.value,
    },
  };
}

/** The whole list, planned; the first problem fails it (names must be distinct: checks are reported by name). */
export function planChecks(checks: readonly VerifyCheck[]): Parsed<PlannedCheck[]> {
  const planned: PlannedCheck[] = [];
  const names = new Set<string>();
  for (const [i, check] of checks.entries()) {
    const one = planCheck(check, i);
    if (!one.ok) return one;
    if (names.has(one.value.name))
      return { ok: false, error: `two verify checks are named "${one.value.name}"` };
    names.add(one.value.name);
    planned.push(one.value);
  }
  return { ok: true, value: planned };
}
