/** What the workers call to verify a stack after its apply (issue #13). */
export { ALLOWED_HOSTS_SETTING, type AllowedHosts, parseAllowedHosts } from "./allowed-hosts.js";
export { DEFAULT_MAX_BODY_BYTES } from "./bounded-get.js";
export { probeContextFromEnv, runProbe } from "./probe.js";
export { decideVerification, type ProbeSample, samplesNeeded, type VerificationDecision } from "./samples.js";
export type { ProbeContext, ProbeObservation, ProbeResult } from "./types.js";
