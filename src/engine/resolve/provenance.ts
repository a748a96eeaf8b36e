import type { Policy } from "../../config/types.js";
import { BUILT_IN } from "./defaults.js";

/** Which document set a value, and how: directly, through a schedule entry or a condition. */
export interface Provenance {
  policy: string;
  file: string;
  line: number;
  via: "policy" | "schedule" | "condition" | "default" | "stack";
  /** e.g. `schedule entry 1 (mon-fri 9-17 America/New_York)` or `condition 2: plan.destroy == 0` */
  detail?: string;
}

export function policyProvenance(
  policy: Policy,
  via: Provenance["via"] = "policy",
  detail?: string,
): Provenance {
  const at = policy.origin.pos(["spec", "flowControl"]);
  return { policy: policy.name, file: policy.origin.file, line: at.line, via, ...(detail ? { detail } : {}) };
}

export const builtInProvenance: Provenance = {
  policy: BUILT_IN,
  file: "(flowgate)",
  line: 0,
  via: "default",
};

export function describeProvenance(p: Provenance): string {
  if (p.via === "default") return BUILT_IN;
  const where = p.line > 0 ? `${p.file}:${p.line}` : p.file;
  return p.detail ? `${p.policy} (${where}, ${p.detail})` : `${p.policy} (${where})`;
}
