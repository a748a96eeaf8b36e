import { policyFingerprint } from "../../engine/policy-fingerprint.js";
import { buildPolicyIndex, resolveStack } from "../../engine/resolve.js";
import type { ExprVars } from "../../lang/expressions.js";
import type { Runtime } from "../../runtime/runtime.js";
import type { RepoInfo } from "../../webhooks/events.js";

export { policyFingerprint };

const CHANGED_CONFIG = "the configuration before this commit could not be read";

/**
 * A stack's policy fingerprint before a commit, for a stack flowgate has no applied policy on record
 * for (never applied, or state lost). Only a commit that changed the repository's `.github/flowgate/`
 * can have changed it; then the configuration at the parent says what it was. A stack the parent did
 * not have had no policy to change; an unreadable or invalid parent counts as a change (fail closed).
 */
export function policyBeforeCommit(
  rt: Runtime,
  repo: RepoInfo,
  parent: string,
  changedPaths: readonly string[],
  now: Date,
): (stack: string, vars: ExprVars) => Promise<string | undefined> {
  if (/^0+$/.test(parent) || !changedPaths.some((p) => p.startsWith(".github/flowgate/")))
    return async () => undefined;
  let config: ReturnType<typeof rt.config.read> | undefined;
  return async (name, vars) => {
    config ??= rt.config.read((ref) => rt.github(ref), repo, { ref: parent, now });
    const before = await config;
    if (before.errors.length || before.sourceErrors.length) return CHANGED_CONFIG;
    const stack = before.stacks.find((s) => s.name === name);
    if (!stack) return undefined;
    const resolution = resolveStack(buildPolicyIndex(before.policies, now), stack, {
      org: repo.owner,
      now,
      vars,
    });
    return resolution.errors.length ? CHANGED_CONFIG : policyFingerprint(resolution);
  };
}
