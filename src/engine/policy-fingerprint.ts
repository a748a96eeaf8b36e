import { createHash } from "node:crypto";
import type { Resolution } from "./resolve/resolve.js";

/** What a stack's policy looks like to the apply side: a change of it pauses the next apply (SPEC §2.3). */
export function policyFingerprint(resolution: Resolution): string {
  const f = resolution.flow;
  return createHash("sha256")
    .update(
      JSON.stringify([
        f.isManual,
        f.disableOnLifecycleEvents,
        f.skipRefresh,
        f.previewBeforeUpdateOrDestroy,
        f.pauseBetweenPreviewAndUpdateOrDestroy,
        f.approvalRules,
        f.gates,
        resolution.policy.policy,
      ]),
    )
    .digest("hex")
    .slice(0, 16);
}
