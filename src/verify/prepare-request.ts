/**
 * The URL and headers of a probe request from the check as written: `${env.NAME}` filled in from the app's
 * environment, then the host checked against the operator's allow-list, before anything is sent.
 */

import type { Parsed } from "../config/types.js";
import { substituteEnv } from "../engine/env-references.js";
import { checkProbeHeader } from "../validation/validate-probe-url.js";
import { refusalFor } from "./allowed-hosts.js";
import type { ProbeContext } from "./types.js";

export interface PreparedRequest {
  url: URL;
  headers: Record<string, string>;
}

/** `extend` turns the base URL into the one requested (the Prometheus API path); it may not change the origin. */
export function prepareRequest(
  urlAsWritten: string,
  headersAsWritten: Readonly<Record<string, string>>,
  ctx: ProbeContext,
  extend: (base: URL) => URL = (base) => base,
): Parsed<PreparedRequest> {
  const filled = substituteEnv(urlAsWritten, ctx.env);
  if (!filled.ok) return filled;
  let base: URL;
  try {
    base = new URL(filled.value);
  } catch {
    return { ok: false, error: `the URL ${urlAsWritten} is not valid once its variables are filled in` };
  }
  if (base.username || base.password)
    return { ok: false, error: `the URL ${urlAsWritten} holds credentials` };
  const url = extend(base);
  if (url.origin !== base.origin) return { ok: false, error: "the request would leave the server's origin" };
  const refused = refusalFor(url, ctx.allowedHosts);
  if (refused) return { ok: false, error: refused };
  const headers: Record<string, string> = { "user-agent": "flowgate-verify", accept: "application/json" };
  for (const [name, written] of Object.entries(headersAsWritten)) {
    const problem = checkProbeHeader(name, written);
    if (problem) return { ok: false, error: problem };
    const value = substituteEnv(written, ctx.env);
    if (!value.ok) return { ok: false, error: `header ${name}: ${value.error}` };
    if (/[\r\n\0]/.test(value.value)) return { ok: false, error: `header ${name} must be one line` };
    headers[name.toLowerCase()] = value.value;
  }
  return { ok: true, value: { url, headers } };
}
