/**
 * Wall-clock time in IANA time zones, exact and fast enough to be asked thousands of times per decision.
 *
 * Offsets come from Intl (Node ships full ICU). Asking Intl is slow (microseconds), so offsets are memoised at
 * quarter-hour UTC instants: when the offsets at both ends of a quarter hour agree, every instant inside has that
 * offset; only the quarter hour holding a transition asks Intl for the exact instant.
 */

const QUARTER_HOUR_MS = 15 * 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Longer than any daylight-saving shift (at most 2h in tzdata), shorter than the gap between two transitions. */
const REPEAT_LOOKBACK_MS = 6 * HOUR_MS;
/** Memo entries per zone before the memo starts over (~3 years of quarter hours). */
const MAX_MEMO_ENTRIES = 100_000;

// Names like Europe/Berlin, Etc/GMT+5, UTC; rejects offsets ("+05:00") and anything with spaces.
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\-/]*$/;

const formatters = new Map<string, Intl.DateTimeFormat | null>();
const memos = new Map<string, Map<number, number>>();

function formatterFor(tz: string): Intl.DateTimeFormat | null {
  let f = formatters.get(tz);
  if (f !== undefined) return f;
  f = null;
  if (ZONE_NAME.test(tz)) {
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone: tz,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
      });
    } catch {
      f = null;
    }
  }
  formatters.set(tz, f);
  return f;
}

/** IANA time zone names as Intl knows them ("UTC" included). */
export function isValidTimezone(tz: string): boolean {
  return typeof tz === "string" && formatterFor(tz) !== null;
}

/** The zone's offset from UTC at instant `t` (ms since the epoch), in ms; local wall time = t + offset. */
export function offsetMs(tz: string, t: number): number {
  if (tz === "UTC") return 0;
  const start = Math.floor(t / QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
  const atStart = memoOffset(tz, start);
  if (t === start) return atStart;
  const atEnd = memoOffset(tz, start + QUARTER_HOUR_MS);
  return atStart === atEnd ? atStart : exactOffsetMs(tz, t);
}

function memoOffset(tz: string, t: number): number {
  let memo = memos.get(tz);
  if (!memo) {
    memo = new Map();
    memos.set(tz, memo);
  }
  let offset = memo.get(t);
  if (offset === undefined) {
    if (memo.size >= MAX_MEMO_ENTRIES) memo.clear();
    offset = exactOffsetMs(tz, t);
    memo.set(t, offset);
  }
  return offset;
}

function exactOffsetMs(tz: string, t: number): number {
  const f = formatterFor(tz);
  if (!f) return 0;
  let y = 0;
  let mo = 1;
  let d = 1;
  let h = 0;
  let mi = 0;
  let s = 0;
  for (const part of f.formatToParts(t)) {
    switch (part.type) {
      case "year":
        y = Number(part.value);
        break;
      case "month":
        mo = Number(part.value);
        break;
      case "day":
        d = Number(part.value);
        break;
      case "hour":
        h = Number(part.value);
        break;
      case "minute":
        mi = Number(part.value);
        break;
      case "second":
        s = Number(part.value);
        break;
    }
  }
  const local = new Date(0);
  local.setUTCFullYear(y, mo - 1, d);
  local.setUTCHours(h, mi, s, 0);
  // Intl shows whole seconds: compare with the instant cut to its second.
  return local.getTime() - Math.floor(t / 1000) * 1000;
}

export interface WallClock {
  /** 0 = Sunday .. 6 = Saturday */
  weekday: number;
  /** 0..23 */
  hour: number;
}

/** Local day of the week and hour at instant `t`. */
export function wallClock(tz: string, t: number): WallClock {
  const local = t + offsetMs(tz, t);
  const days = Math.floor(local / DAY_MS);
  // 1970-01-01 was a Thursday (4).
  const weekday = (((days + 4) % 7) + 7) % 7;
  const hour = Math.floor((local - days * DAY_MS) / HOUR_MS);
  return { weekday, hour };
}

/**
 * True when the local wall time at `t` was already shown earlier, i.e. `t` lies in the second pass through the
 * hour repeated when clocks fall back (01:00-01:59 EST on the day New York leaves daylight saving time).
 */
export function isRepeatedWallTime(tz: string, t: number): boolean {
  const now = offsetMs(tz, t);
  const before = offsetMs(tz, t - REPEAT_LOOKBACK_MS);
  if (before <= now) return false;
  // The same wall time under the earlier, larger offset happened (before - now) earlier, if that offset still held.
  return offsetMs(tz, t - (before - now)) === before;
}
