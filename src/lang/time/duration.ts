/**
 * Durations as people write them in policies and commands: `30s`, `30m`, `2h`, `1d`, `1h30m` (SPEC §2.1, §3.2, §4).
 */
import type { Parsed } from "../../model/parsed.js";

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** The longest duration accepted anywhere: a gate window or a timeout beyond a year is a typo. */
export const MAX_DURATION_MS = 366 * DAY_MS;

const UNITS: readonly { suffix: string; ms: number }[] = [
  { suffix: "d", ms: DAY_MS },
  { suffix: "h", ms: HOUR_MS },
  { suffix: "m", ms: MINUTE_MS },
  { suffix: "s", ms: SECOND_MS },
];

// Each unit at most once, largest first; digits only (no sign, no decimals).
const GRAMMAR = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
const HINT = 'use whole numbers with d, h, m, s in that order, e.g. "30m", "2h", "1d", "1h30m"';

/** Parses a duration into milliseconds. */
export function parseDuration(text: string): Parsed<number> {
  if (typeof text !== "string") return { ok: false, error: "a duration must be a string" };
  const trimmed = text.trim();
  if (trimmed === "") return { ok: false, error: `a duration is empty: ${HINT}` };
  const match = GRAMMAR.exec(trimmed);
  if (!match) return { ok: false, error: `"${text}" is not a duration: ${HINT}` };
  let total = 0;
  for (const [i, unit] of UNITS.entries()) {
    const digits = match[i + 1];
    if (digits === undefined) continue;
    // Very long digit strings would lose precision; anything that large is over the limit anyway.
    const n = digits.length > 12 ? Number.POSITIVE_INFINITY : Number(digits);
    total += n * unit.ms;
  }
  if (total === 0) return { ok: false, error: `"${text}" is zero: a duration must be longer than 0s` };
  if (total > MAX_DURATION_MS) return { ok: false, error: `"${text}" is longer than the limit of 366d` };
  return { ok: true, value: total };
}

/** Formats milliseconds the way `parseDuration` reads them ("1h30m"); under a second, or not a number, is "0s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < SECOND_MS) return "0s";
  // Whole seconds only: messages never need more, and the result stays parseable.
  let rest = Math.floor(ms / SECOND_MS) * SECOND_MS;
  let out = "";
  for (const unit of UNITS) {
    const n = Math.floor(rest / unit.ms);
    if (n > 0) out += `${n}${unit.suffix}`;
    rest -= n * unit.ms;
  }
  return out;
}
