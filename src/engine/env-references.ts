/**
 * `${env.NAME}` in verification URLs and headers (issue #13): secrets stay in the app's environment, never in
 * policy files. Only variables named `FLOWGATE_VERIFY_*` can be read, so a repository's policy cannot make the
 * app send its own secrets (`PRIVATE_KEY`, `WEBHOOK_SECRET`, `REDIS_URL`) to a host it controls.
 */
import { VERIFY_ENV_PREFIX } from "../config/after-apply-types.js";
import type { Parsed } from "../config/types.js";

export { VERIFY_ENV_PREFIX } from "../config/after-apply-types.js";

const REFERENCE = /\$\{env\.([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** The variables a text names, in order, and what is wrong with its references (empty when nothing). */
export function envReferences(text: string): { names: string[]; problems: string[] } {
  const names: string[] = [];
  const problems: string[] = [];
  for (const match of text.matchAll(REFERENCE)) {
    const name = match[1]!;
    names.push(name);
    if (!name.startsWith(VERIFY_ENV_PREFIX) || name.length === VERIFY_ENV_PREFIX.length) {
      problems.push(
        `\${env.${name}} cannot be read: verification may only read environment variables named ${VERIFY_ENV_PREFIX}*`,
      );
    }
  }
  const rest = text.replace(REFERENCE, "");
  const stray = /\$\{[^}]*\}?/.exec(rest);
  if (stray) {
    problems.push(
      `"${stray[0].slice(0, 40)}" is not a reference: write \${env.${VERIFY_ENV_PREFIX}NAME} (letters, digits and _)`,
    );
  }
  return { names, problems };
}

/** The text with every reference replaced by the variable's value; an unset variable is an error naming it. */
export function substituteEnv(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
): Parsed<string> {
  const { problems } = envReferences(text);
  if (problems.length > 0) return { ok: false, error: problems[0]! };
  let missing: string | undefined;
  const value = text.replace(REFERENCE, (_, name: string) => {
    const found = env[name];
    if (found === undefined) missing ??= name;
    return found ?? "";
  });
  if (missing !== undefined)
    return { ok: false, error: `the environment variable ${missing} is not set in the app` };
  return { ok: true, value };
}

/** The text with each reference replaced by a placeholder, for checking its shape where values are unknown. */
export function withPlaceholders(text: string, placeholder = "x"): string {
  return text.replace(REFERENCE, placeholder);
}
