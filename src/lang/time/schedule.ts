/**
 * Schedule windows shared by policies and gates (SPEC §2.1, §2.2): `days`, half-open local `hours`, an IANA
 * `timezone` (default UTC). A skipped hour (spring forward) never matches; a repeated hour (fall back) matches
 * only on its first pass.
 */
import type { ScheduleWindow } from "../../config/types.js";
import type { Parsed } from "../../model/parsed.js";
import { isRepeatedWallTime, isValidTimezone, wallClock } from "./zone.js";

export { isValidTimezone } from "./zone.js";

export const DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
const DAY_HINT = `use ${DAY_NAMES.join(", ")}, ranges such as "mon-fri" and lists such as "sat,sun"`;
const HOURS_HINT = 'use whole hours 0-24 such as "9-17", "0-9,17-24" or "9"';

const QUARTER_HOUR_MS = 15 * 60_000;
const DEFAULT_HORIZON_MS = 8 * 24 * 3_600_000;
const MAX_COMPILE_CACHE = 1000;

/** Parses `days` into a set of weekdays, 0 = Sunday .. 6 = Saturday. Ranges wrap: "fri-mon" is fri, sat, sun, mon. */
export function parseDays(text: string): Parsed<ReadonlySet<number>> {
  if (typeof text !== "string" || text.trim() === "")
    return { ok: false, error: `days is empty: ${DAY_HINT}` };
  const days = new Set<number>();
  for (const raw of text.split(",")) {
    const item = raw.trim();
    if (item === "") return { ok: false, error: `days "${text}" has an empty item: ${DAY_HINT}` };
    const range = /^([^-\s]+)\s*-\s*([^-\s]+)$/.exec(item);
    const names = range ? [range[1] ?? "", range[2] ?? ""] : [item];
    const indexes: number[] = [];
    for (const name of names) {
      const index = (DAY_NAMES as readonly string[]).indexOf(name.toLowerCase());
      if (index < 0) return { ok: false, error: `days "${text}": unknown day "${name}"; ${DAY_HINT}` };
      indexes.push(index);
    }
    const from = indexes[0] ?? 0;
    const to = indexes[indexes.length - 1] ?? from;
    for (let d = from; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === to) break;
    }
  }
  return { ok: true, value: days };
}

/** Parses `hours` into half-open local ranges [from, to): "9-17" is 09:00 to 16:59:59; "9" is 9-10. */
export function parseHours(text: string): Parsed<ReadonlyArray<readonly [number, number]>> {
  if (typeof text !== "string" || text.trim() === "")
    return { ok: false, error: `hours is empty: ${HOURS_HINT}` };
  const ranges: (readonly [number, number])[] = [];
  for (const raw of text.split(",")) {
    const item = raw.trim();
    if (item === "") return { ok: false, error: `hours "${text}" has an empty item: ${HOURS_HINT}` };
    const match = /^(\d{1,2})(?:\s*-\s*(\d{1,2}))?$/.exec(item);
    if (!match)
      return { ok: false, error: `hours "${text}": "${item}" is not an hour or a range; ${HOURS_HINT}` };
    const from = Number(match[1]);
    const to = match[2] === undefined ? from + 1 : Number(match[2]);
    if (from > 23) return { ok: false, error: `hours "${text}": "${item}" starts after 23; ${HOURS_HINT}` };
    if (to > 24) return { ok: false, error: `hours "${text}": "${item}" ends after 24; ${HOURS_HINT}` };
    if (to === from) return { ok: false, error: `hours "${text}": "${item}" is an empty range` };
    if (to < from) {
      return {
        ok: false,
        error: `hours "${text}": "${item}" is reversed; for a range across midnight write "${from}-24,0-${to}"`,
      };
    }
    ranges.push([from, to]);
  }
  return { ok: true, value: ranges };
}

export interface CompiledWindow {
  days?: ReadonlySet<number>;
  /** absent when every hour matches (no `hours`, or ranges covering 0-24) */
  hours?: ReadonlyArray<readonly [number, number]>;
  timezone: string;
}

/** Checks and compiles a window; the error names the part that is wrong. */
export function compileWindow(w: ScheduleWindow): Parsed<CompiledWindow> {
  const timezone = w.timezone ?? "UTC";
  const out: CompiledWindow = { timezone };
  if (w.days !== undefined) {
    const days = parseDays(w.days);
    if (!days.ok) return days;
    out.days = days.value;
  }
  if (w.hours !== undefined) {
    const hours = parseHours(w.hours);
    if (!hours.ok) return hours;
    // "0-24" means every hour: keep it equal to no `hours`, so the repeated-hour rule does not cut a hole in it.
    if (!coversWholeDay(hours.value)) out.hours = hours.value;
  }
  if (!isValidTimezone(timezone)) {
    return {
      ok: false,
      error: `timezone "${timezone}" is not an IANA time zone name such as "Europe/Berlin" or "UTC"`,
    };
  }
  return { ok: true, value: out };
}

function coversWholeDay(ranges: ReadonlyArray<readonly [number, number]>): boolean {
  for (let h = 0; h < 24; h++) if (!ranges.some(([from, to]) => h >= from && h < to)) return false;
  return true;
}

/** True when `at` falls inside the window in the window's time zone. */
export function windowMatches(w: CompiledWindow, at: Date): boolean {
  return matchesAt(w, at.getTime());
}

function matchesAt(w: CompiledWindow, t: number): boolean {
  if (Number.isNaN(t)) return false;
  const { weekday, hour } = wallClock(w.timezone, t);
  if (w.days && !w.days.has(weekday)) return false;
  if (w.hours) {
    if (!w.hours.some(([from, to]) => hour >= from && hour < to)) return false;
    // A repeated hour counts once: its second pass does not match.
    if (isRepeatedWallTime(w.timezone, t)) return false;
  }
  return true;
}

// Policies and gates are evaluated again and again with the same few windows: compile each text once.
const compiled = new Map<string, CompiledWindow | null>();

function compiledFor(w: ScheduleWindow): CompiledWindow | null {
  const key = `${w.days ?? "\u0000"}\u0001${w.hours ?? "\u0000"}\u0001${w.timezone ?? "\u0000"}`;
  let c = compiled.get(key);
  if (c === undefined) {
    const result = compileWindow(w);
    c = result.ok ? result.value : null;
    if (compiled.size >= MAX_COMPILE_CACHE) compiled.clear();
    compiled.set(key, c);
  }
  return c;
}

/** The first entry whose window holds at `at`; entries that fail to compile never match. */
export function firstMatchingEntry<T extends ScheduleWindow>(
  entries: readonly T[],
  at: Date,
): { entry: T; index: number } | undefined {
  const index = matchingIndex(entries.map(compiledFor), at.getTime());
  const entry = index < 0 ? undefined : entries[index];
  return entry === undefined ? undefined : { entry, index };
}

function matchingIndex(windows: readonly (CompiledWindow | null)[], t: number): number {
  for (let i = 0; i < windows.length; i++) {
    const w = windows[i];
    if (w && matchesAt(w, t)) return i;
  }
  return -1;
}

/**
 * The first instant after `from` at which the index of the first matching entry changes, so a caller can decide
 * again exactly then; undefined when nothing changes within `horizonMs` (default 8 days).
 *
 * Every change happens at a local hour boundary or an offset transition. For every zone in use today those fall
 * on quarter-hour UTC instants, so sampling that grid finds each change; a binary search then pins the exact
 * millisecond, which also covers zones whose transitions fall between grid points.
 */
export function nextScheduleChange(
  entries: readonly ScheduleWindow[],
  from: Date,
  horizonMs: number = DEFAULT_HORIZON_MS,
): Date | undefined {
  const start = from.getTime();
  if (Number.isNaN(start) || !(horizonMs > 0)) return undefined;
  const windows = entries.map(compiledFor);
  // Windows without days or hours match always; if all are like that (or none compiles) nothing ever changes.
  if (!windows.some((w) => w && (w.days || w.hours))) return undefined;
  const end = start + horizonMs;
  const initial = matchingIndex(windows, start);
  let previous = start;
  for (
    let t = Math.floor(start / QUARTER_HOUR_MS) * QUARTER_HOUR_MS + QUARTER_HOUR_MS;
    ;
    t += QUARTER_HOUR_MS
  ) {
    const probe = Math.min(t, end);
    if (matchingIndex(windows, probe) !== initial)
      return new Date(firstChange(windows, initial, previous, probe));
    if (probe >= end) return undefined;
    previous = probe;
  }
}

/** Smallest instant in (lo, hi] whose index differs from `initial`, given that lo has it and hi does not. */
function firstChange(
  windows: readonly (CompiledWindow | null)[],
  initial: number,
  lo: number,
  hi: number,
): number {
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (matchingIndex(windows, mid) === initial) lo = mid;
    else hi = mid;
  }
  return hi;
}
