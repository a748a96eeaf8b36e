/** One sample of an `http` check: GET the URL, compare the status, evaluate the condition over the JSON body. */
import { compileProbeCondition, evaluateProbeCondition } from "../engine/probe-conditions.js";
import type { PlannedHttpCheck } from "../engine/verification.js";
import { boundedGet } from "./bounded-get.js";
import { prepareRequest } from "./prepare-request.js";
import type { ProbeContext, ProbeResult } from "./types.js";

/** The body as JSON, or undefined when it is not JSON. */
export function parseJsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}

function redirectNote(status: number, location: string | undefined): string {
  if (status < 300 || status > 399 || !location) return "";
  return "; redirects are not followed";
}

export async function runHttpProbe(check: PlannedHttpCheck, ctx: ProbeContext): Promise<ProbeResult> {
  const target = check.url;
  const condition =
    check.condition === undefined ? undefined : compileProbeCondition("http", check.condition);
  if (condition && !condition.ok)
    return {
      ok: false,
      reason: `invalid condition: ${condition.error}`,
      observed: { target },
      permanent: true,
    };
  const request = prepareRequest(check.url, check.headers, ctx);
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
  const observed = {
    target,
    status: response.status,
    elapsedMs: response.elapsedMs,
    contentType: response.contentType,
    bytes: response.body.length,
  };
  if (response.status !== check.expectStatus) {
    const note = redirectNote(response.status, response.location);
    return {
      ok: false,
      reason: `status ${response.status}, expected ${check.expectStatus}${note}`,
      observed,
    };
  }
  if (!condition) return { ok: true, reason: `status ${response.status}`, observed };
  const body = parseJsonBody(response.body);
  const outcome = evaluateProbeCondition(condition.value, {
    status: response.status,
    ...(body === undefined ? {} : { body }),
  });
  if (!outcome.ok) return { ok: false, reason: outcome.error, observed };
  return outcome.holds
    ? { ok: true, reason: `status ${response.status} and ${check.condition} holds`, observed }
    : { ok: false, reason: `the condition does not hold: ${check.condition}`, observed };
}
