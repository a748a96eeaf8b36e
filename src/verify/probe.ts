/** Entry points for the workers: the context from the app's environment, and one sample of any probe check. */
import type { Parsed } from "../config/types.js";
import type { PlannedProbe } from "../engine/verification.js";
import { ALLOWED_HOSTS_SETTING, parseAllowedHosts } from "./allowed-hosts.js";
import { runHttpProbe } from "./http-probe.js";
import { runPrometheusProbe } from "./prometheus-probe.js";
import type { ProbeContext, ProbeResult } from "./types.js";

/** The probe context of this process: allowed hosts from `FLOWGATE_VERIFY_ALLOWED_HOSTS`, variables from `env`. */
export function probeContextFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Parsed<ProbeContext> {
  const allowedHosts = parseAllowedHosts(env[ALLOWED_HOSTS_SETTING]);
  if (!allowedHosts.ok) return allowedHosts;
  return { ok: true, value: { allowedHosts: allowedHosts.value, env } };
}

/** Takes one sample of an `http` or `prometheus` check. Never throws: every problem is a failed result. */
export async function runProbe(check: PlannedProbe, ctx: ProbeContext): Promise<ProbeResult> {
  try {
    return check.kind === "http" ? await runHttpProbe(check, ctx) : await runPrometheusProbe(check, ctx);
  } catch (error) {
    const target = check.kind === "http" ? check.url : `${check.server} ${check.query}`;
    return {
      ok: false,
      reason: `the probe failed: ${(error as Error)?.message ?? String(error)}`,
      observed: { target },
    };
  }
}
