/**
 * The URL and headers of a verification probe, as far as they can be checked before the app's environment
 * variables are known. The operator's allow-list is checked when the probe runs (src/verify).
 */
import { envReferences, withPlaceholders } from "../engine/env-references.js";

const PLACEHOLDER = "flowgate-env-value";

/** Headers flowgate sets itself, or that could point one allowed host's request at another. */
const REFUSED_HEADERS: ReadonlySet<string> = new Set([
  "host",
  "connection",
  "content-length",
  "transfer-encoding",
  "upgrade",
  "te",
  "keep-alive",
  "proxy-connection",
]);

/** A header whose value is a credential: it must come from an environment variable, not the file. */
const CREDENTIAL_HEADER =
  /^(authorization|proxy-authorization|cookie)$|token|secret|key|auth|password|session/i;

/** Why `url` cannot be a probe URL, as a sentence about `field`, or undefined. */
export function checkProbeUrl(field: string, url: string): string | undefined {
  const { problems } = envReferences(url);
  if (problems.length > 0) return problems[0];
  const problem = urlShapeProblem(url);
  return problem === undefined ? undefined : `${field} ${problem}`;
}

function urlShapeProblem(url: string): string | undefined {
  // Scheme and host may come from a variable: the runner checks them once the value is known.
  if (url.startsWith("${env.")) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(withPlaceholders(url, PLACEHOLDER));
  } catch {
    return `is not a valid URL: "${url.slice(0, 80)}"`;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    return `must start with http:// or https:// (got ${parsed.protocol})`;
  const literal = (part: string) => part !== "" && !part.split(PLACEHOLDER).every((piece) => piece === "");
  if (literal(parsed.username) || literal(parsed.password))
    return `must not hold credentials: put them in a header with \${env.FLOWGATE_VERIFY_NAME}`;
  if (parsed.hostname === "") return "has no host";
  return undefined;
}

/** Why this header cannot be sent, or undefined. */
export function checkProbeHeader(name: string, value: string): string | undefined {
  if (REFUSED_HEADERS.has(name.toLowerCase())) return `header ${name} is set by flowgate and cannot be given`;
  if (/[\r\n\0]/.test(value)) return `header ${name} must be one line`;
  const { names, problems } = envReferences(value);
  if (problems.length > 0) return problems[0];
  if (names.length === 0 && CREDENTIAL_HEADER.test(name))
    return `header ${name} carries a credential, which must not sit in a policy file: write \${env.FLOWGATE_VERIFY_NAME} and set that variable in the app`;
  return undefined;
}
