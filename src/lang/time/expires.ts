/**
 * `annotations.expires` of a policy (SPEC §2.2): a date (expired from 00:00 UTC that day) or an RFC 3339 time.
 */
import type { Parsed } from "../../model/parsed.js";

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
// RFC 3339 date-time; the offset is required (a time without one would depend on the server's zone).
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const HINT = 'use a date such as "2027-02-01" or an RFC 3339 time such as "2027-02-01T09:00:00+01:00"';

/** Parses an expiry into the first instant at which the thing has expired. */
export function parseExpires(text: string): Parsed<Date> {
  if (typeof text !== "string") return { ok: false, error: `expires must be a string: ${HINT}` };
  const trimmed = text.trim();
  const dateOnly = DATE_ONLY.exec(trimmed);
  if (dateOnly) {
    const [, y, mo, d] = dateOnly;
    const date = utcInstant(Number(y), Number(mo), Number(d), 0, 0, 0, 0);
    if (!date) return { ok: false, error: `"${text}" is not a real calendar date` };
    return { ok: true, value: date };
  }
  const dateTime = DATE_TIME.exec(trimmed);
  if (!dateTime) return { ok: false, error: `"${text}" is not a date or time: ${HINT}` };
  const [, y, mo, d, h, mi, s, frac, zulu, sign, oh, om] = dateTime;
  const hour = Number(h);
  const minute = Number(mi);
  // RFC 3339 allows a leap second (60); Date has none, so it reads as the next minute's first second.
  const second = Number(s);
  if (hour > 23 || minute > 59 || second > 60)
    return { ok: false, error: `"${text}" has an impossible time of day` };
  const ms = frac ? Math.floor(Number(`0${frac}`) * 1000) : 0;
  const local = utcInstant(Number(y), Number(mo), Number(d), hour, minute, second, ms);
  if (!local) return { ok: false, error: `"${text}" is not a real calendar date` };
  let offsetMinutes = 0;
  if (!zulu) {
    const offH = Number(oh);
    const offM = Number(om);
    if (offH > 23 || offM > 59) return { ok: false, error: `"${text}" has an impossible UTC offset` };
    offsetMinutes = (sign === "-" ? -1 : 1) * (offH * 60 + offM);
  }
  return { ok: true, value: new Date(local.getTime() - offsetMinutes * 60_000) };
}

/** Expired from that instant on. */
export function isExpired(expires: Date, now: Date): boolean {
  return now.getTime() >= expires.getTime();
}

/** The instant for a UTC wall-clock time, or undefined when the calendar date does not exist (2027-02-30). */
function utcInstant(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
): Date | undefined {
  if (mo < 1 || mo > 12 || d < 1) return undefined;
  const date = new Date(0);
  // setUTCFullYear keeps years 0-99 as written (Date.UTC would map them to 1900-1999).
  date.setUTCFullYear(y, mo - 1, d);
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d)
    return undefined;
  date.setUTCHours(h, mi, s, ms);
  return date;
}
