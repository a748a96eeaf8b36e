import { parseDuration } from "../../lang/time/duration.js";
import type { Resolution } from "../resolve/resolve.js";
import type { JobTimeouts } from "./types.js";

const HOUR = 3_600_000;

/** A stack job's time limits from its policy (SPEC §4), with the defaults where it sets none. */
export function jobTimeouts(resolution: Resolution): JobTimeouts {
  const ms = (text: string | undefined, fallback: number) => {
    const parsed = text ? parseDuration(text) : undefined;
    return parsed?.ok ? parsed.value : fallback;
  };
  const t = resolution.flow.timeouts;
  return {
    planMs: ms(t.plan, HOUR),
    applyMs: ms(t.apply, 3 * HOUR),
    approvalMs: ms(t.approval, 7 * 24 * HOUR),
    planMaxAgeMs: ms(resolution.flow.planMaxAge, 24 * HOUR),
  };
}
