/**
 * One sample of a `prometheus` check: an instant query against `/api/v1/query`, its result made plain for the
 * condition (a vector as `[{metric, value}]` with numeric values, a scalar as a number).
 */
import type { Parsed } from "../config/types.js";
import { compileProbeCondition, evaluateProbeCondition } from "../engine/probe-conditions.js";
import type { PlannedPrometheusCheck } from "../engine/verification.js";
import { boundedGet } from "./bounded-get.js";
import { parseJsonBody } from "./http-probe.js";
import { prepareRequest } from "./prepare-request.js";
import type { ProbeContext, ProbeObservation, ProbeResult } from "./types.js";

export interface PromSample {
  metric: Record<string, string>;
  value: number;
}

/** How many samples an observation keeps for the report. */
const SHOWN_SAMPLES = 5;

/** Prometheus writes sample values as text: "0.5", "NaN", "+Inf". */
function sampleValue(text: unknown): number | undefined {
  if (typeof text !== "string") return undefined;
  if (text === "+Inf" || text === "Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  if (text === "NaN") return Number.NaN;
  const n = Number(text);
  return text.trim() === "" || Number.isNaN(n) ? undefined : n;
}

type PromResult = { type: "vector"; samples: PromSample[] } | { type: "scalar"; value: number };

/** The `data` of a successful query response, or why it cannot be read. */
export function readPromResponse(json: unknown): Parsed<PromResult> {
  const r = json as {
    status?: unknown;
    error?: unknown;
    errorType?: unknown;
    data?: { resultType?: unknown; result?: unknown };
  };
  if (typeof r !== "object" || r === null)
    return { ok: false, error: "the answer is not a Prometheus API response" };
  if (r.status !== "success") {
    const detail = typeof r.error === "string" ? `: ${r.error.slice(0, 300)}` : "";
    return { ok: false, error: `the query failed (${String(r.errorType ?? r.status)})${detail}` };
  }
  const type = r.data?.resultType;
  const result = r.data?.result;
  if (type === "scalar") {
    const value = Array.isArray(result) ? sampleValue(result[1]) : undefined;
    return value === undefined
      ? { ok: false, error: "the scalar result has no number" }
      : { ok: true, value: { type, value } };
  }
  if (type !== "vector") {
    return {
      ok: false,
      error: `the query gave a ${String(type)}; use an instant query that gives a vector or a scalar`,
    };
  }
  if (!Array.isArray(result)) return { ok: false, error: "the vector result is not a list" };
  const samples: PromSample[] = [];
  for (const item of result as { metric?: unknown; value?: unknown }[]) {
    const value = Array.isArray(item?.value) ? sampleValue(item.value[1]) : undefined;
    if (value === undefined) return { ok: false, error: "a sample of the vector has no number" };
    const metric: Record<string, string> = {};
    for (const [k, v] of Object.entries((item.metric ?? {}) as Record<string, unknown>))
      metric[k] = String(v);
    samples.push({ metric, value });
  }
  return { ok: true, value: { type, samples } };
}

function observe(result: PromResult): NonNullable<ProbeObservation["result"]> {
  if (result.type === "scalar")
    return { type: "scalar", samples: [{ metric: {}, value: result.value }], total: 1 };
  return { type: "vector", samples: result.samples.slice(0, SHOWN_SAMPLES), total: result.samples.length };
}

export async function runPrometheusProbe(
  check: PlannedPrometheusCheck,
  ctx: ProbeContext,
): Promise<ProbeResult> {
  const target = `${check.server} ${check.query}`;
  const condition = compileProbeCondition("prometheus", check.condition);
  if (!condition.ok)
    return {
      ok: false,
      reason: `invalid condition: ${condition.error}`,
      observed: { target },
      permanent: true,
    };
  const request = prepareRequest(check.server, check.headers, ctx, (base) => {
    const url = new URL(base.href);
    url.pathname = `${url.pathname.replace(/\/+$/, "")}/api/v1/query`;
    url.search = "";
    url.hash = "";
    url.searchParams.set("query", check.query);
    return url;
  });
  if (!request.ok)
    return { ok: false, reason: `not requested: ${request.error}`, observed: { target }, permanent: true };

  const response = await boundedGet(request.value.url, {
    headers: request.value.headers,
    timeoutMs: check.schedule.timeoutMs,
    ...(ctx.maxBodyBytes === undefined ? {} : { maxBytes: ctx.maxBodyBytes }),
    ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
  });
  if (!response.ok)
    return { ok: false, reason: response.error, observed: { target, elapsedMs: response.elapsedMs } };
  const observed: ProbeObservation = {
    target,
    status: response.status,
    elapsedMs: response.elapsedMs,
    bytes: response.body.length,
  };
  const json = parseJsonBody(response.body);
  if (json === undefined)
    return { ok: false, reason: `status ${response.status}: the answer is not JSON`, observed };
  const result = readPromResponse(json);
  if (!result.ok) return { ok: false, reason: `status ${response.status}: ${result.error}`, observed };
  observed.result = observe(result.value);
  const value = result.value.type === "scalar" ? result.value.value : result.value.samples;
  const outcome = evaluateProbeCondition(condition.value, { result: value });
  if (!outcome.ok) return { ok: false, reason: outcome.error, observed };
  const size = result.value.type === "scalar" ? "a scalar" : `${result.value.samples.length} sample(s)`;
  return outcome.holds
    ? { ok: true, reason: `${check.condition} holds (${size})`, observed }
    : { ok: false, reason: `the condition does not hold: ${check.condition} (${size})`, observed };
}
