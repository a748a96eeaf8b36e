import type { Permission } from "../../config/types.js";

const PERMISSION_ORDER: readonly (Permission | "none")[] = [
  "none",
  "read",
  "triage",
  "write",
  "maintain",
  "admin",
];

/** read < triage < write < maintain < admin; "none" is below all. */
export function permissionAtLeast(have: Permission | "none", need: Permission): boolean {
  return PERMISSION_ORDER.indexOf(have) >= PERMISSION_ORDER.indexOf(need);
}
