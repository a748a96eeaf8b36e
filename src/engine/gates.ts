/**
 * Gates as a pure function (SPEC §2.1, §3.2, §7; Flux RFC #870): a manual toggle holds until it expires and beats
 * the schedule, the first matching schedule entry beats the default, and a gate whose manual state was lost
 * counts as closed until an opener sets it again.
 */
import type { Gate, GateBlock, GateState } from "../config/types.js";
import { parseDuration } from "../lang/time/duration.js";
import { firstMatchingEntry, nextScheduleChange } from "../lang/time/schedule.js";
import type { Parsed } from "../model/parsed.js";

/** The last manual open or close of a gate, as stored. */
export interface GateToggle {
  state: GateState;
  at: Date;
  /** absent: holds until the next toggle */
  until?: Date;
  /** login of the person who toggled it */
  by: string;
  reason?: string;
  /** the command's own time and comment id (ids grow with time): an older command never overrides it */
  command?: { at: string; id: number };
}

/**
 * Whether a command given at `at` (comment `id`) is older than the toggle it would change: a signed
 * delivery replayed under a new delivery id must not re-open or re-close a gate (ids break ties
 * within GitHub's whole-second timestamps; console actions have no comment id).
 */
export function olderThanToggle(toggle: GateToggle | undefined, at: string, id: number): boolean {
  const last = toggle?.command;
  if (!last) return false;
  const [mine, theirs] = [Date.parse(at), Date.parse(last.at)];
  if (mine !== theirs) return mine < theirs;
  return id > 0 && last.id > 0 && id <= last.id;
}

export interface GateDecision {
  name: string;
  open: boolean;
  state: GateState;
  source: "manual" | "schedule" | "default" | "lost";
  /** a sentence for people: "opened by @alice until 2026-11-23 15:00 UTC" */
  reason: string;
  /** the next instant this decision may change (toggle expiry, schedule boundary): decide again then */
  nextChangeAt?: Date;
}

/** The gate's `window` in ms, undefined when it has none; an unreadable window is an error value. */
export function gateWindowMs(gate: Gate): Parsed<number | undefined> {
  if (gate.window === undefined) return { ok: true, value: undefined };
  const parsed = parseDuration(gate.window);
  return parsed.ok ? parsed : { ok: false, error: `gate ${gate.name}: window ${parsed.error}` };
}

/**
 * When a toggle made at `at` ends: an explicit duration wins, else the gate's window, else undefined (it lasts
 * until the next toggle). A window that does not parse counts as none; the loader reports it, and
 * `gateWindowMs` lets a command refuse it.
 */
export function toggleExpiry(gate: Gate, at: Date, durationMs?: number): Date | undefined {
  if (durationMs !== undefined && Number.isFinite(durationMs) && durationMs > 0) {
    return new Date(at.getTime() + durationMs);
  }
  const window = gateWindowMs(gate);
  return window.ok && window.value !== undefined ? new Date(at.getTime() + window.value) : undefined;
}

/** Decides whether the gate is open at `now`. */
export function evaluateGate(
  gate: Gate,
  toggle: GateToggle | undefined,
  now: Date,
  opts?: { stateLostSince?: Date },
): GateDecision {
  const lostSince = opts?.stateLostSince;
  if (lostSince && !(toggle && toggle.at.getTime() >= lostSince.getTime())) {
    return {
      name: gate.name,
      open: false,
      state: "closed",
      source: "lost",
      reason: `closed: its manual state was lost at ${formatUtc(lostSince)}; an opener must open or close it again`,
    };
  }

  if (toggle && (toggle.until === undefined || now.getTime() < toggle.until.getTime())) {
    const verb = toggle.state === "open" ? "opened" : "closed";
    const until = toggle.until ? ` until ${formatUtc(toggle.until)}` : "";
    const why = toggle.reason ? ` (reason: ${toggle.reason})` : "";
    return decision(
      gate,
      toggle.state,
      "manual",
      `${verb} by @${toggle.by.replace(/^@/, "")}${until}${why}`,
      toggle.until,
    );
  }

  const next = nextScheduleChange(gate.schedule, now);
  const match = firstMatchingEntry(gate.schedule, now);
  if (match) {
    const state = match.entry.state;
    return decision(
      gate,
      state,
      "schedule",
      `${stateWord(state)} by schedule (${describeWindow(match.entry)})`,
      next,
    );
  }
  return decision(gate, gate.default, "default", `${stateWord(gate.default)} by default`, next);
}

/** Whether the gate holds merges or applies; an empty `blocks` means both, like the default. */
export function gateBlocks(gate: Gate, what: GateBlock): boolean {
  return gate.blocks.length === 0 || gate.blocks.includes(what);
}

function decision(
  gate: Gate,
  state: GateState,
  source: GateDecision["source"],
  reason: string,
  nextChangeAt: Date | undefined,
): GateDecision {
  const out: GateDecision = { name: gate.name, open: state === "open", state, source, reason };
  if (nextChangeAt) out.nextChangeAt = nextChangeAt;
  return out;
}

function stateWord(state: GateState): string {
  return state === "open" ? "open" : "closed";
}

/** "fri 9-17, Europe/Berlin": the parts of a window a person needs to recognise it. */
export function describeWindow(w: { days?: string; hours?: string; timezone?: string }): string {
  const when = [w.days, w.hours].filter((x): x is string => x !== undefined && x !== "").join(" ");
  return [when || "always", w.timezone ?? "UTC"].join(", ");
}

/** "2026-11-23 15:00 UTC" (seconds only when there are any). */
export function formatUtc(d: Date): string {
  const iso = d.toISOString();
  const seconds = iso.slice(17, 19);
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}${seconds === "00" ? "" : `:${seconds}`} UTC`;
}
