/** What the probe runners need and what they return: plain data a worker stores and reports. */
import type { AllowedHosts } from "./allowed-hosts.js";
import type { FetchFunction } from "./bounded-get.js";

export interface ProbeContext {
  /** the operator's allow-list (`FLOWGATE_VERIFY_ALLOWED_HOSTS`) */
  allowedHosts: AllowedHosts;
  /** where `${env.NAME}` is read from: the app's environment */
  env: Readonly<Record<string, string | undefined>>;
  /** default: global fetch */
  fetch?: FetchFunction;
  /** default 1 MiB */
  maxBodyBytes?: number;
}

/** What was seen, safe to show in a check run: the target as written (never with variables filled in). */
export interface ProbeObservation {
  target: string;
  status?: number;
  elapsedMs?: number;
  contentType?: string;
  bytes?: number;
  /** prometheus: the result type and up to a few samples */
  result?: { type: string; samples: { metric: Record<string, string>; value: number }[]; total: number };
}

export interface ProbeResult {
  ok: boolean;
  /** a sentence for the check run and the comment */
  reason: string;
  observed: ProbeObservation;
  /** asking again cannot help (a host that is not allowed, an unknown variable, an invalid condition) */
  permanent?: true;
}
