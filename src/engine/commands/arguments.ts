/**
 * What may stand in a command's arguments. Names are checked against a strict pattern so nothing
 * odd reaches a workflow input, a comment or a log; free text (reasons) is cleaned of control
 * characters and cut to a bounded length.
 */
import type { Parsed } from "../../model/parsed.js";

export const STACK_NAME = /^[A-Za-z0-9._-]+$/;
export const GATE_NAME = /^(?:org:)?[A-Za-z0-9._-]+$/;
export const MAX_NAME_LENGTH = 100;
export const MAX_REASON_LENGTH = 500;

/** User text made safe to quote in a reply or a log: cut short, markdown and mention characters replaced by `?`. */
export function safeText(text: string, max: number): string {
  const chars = Array.from(text);
  const cut = chars.length > max ? `${chars.slice(0, max).join("")}…` : text;
  return cut.replace(/[^A-Za-z0-9 ._\-:;,=+/()$!?%{}^'…]/gu, "?");
}

/** An argument shown inside a message: quoted and made safe. */
export function display(text: string, max = 40): string {
  return `"${safeText(text, max)}"`;
}

export function checkStackName(arg: string): Parsed<string> {
  if (arg.length > MAX_NAME_LENGTH) {
    return { ok: false, error: `${display(arg)} is too long for a stack name (at most ${MAX_NAME_LENGTH})` };
  }
  if (!STACK_NAME.test(arg)) {
    return {
      ok: false,
      error: `${display(arg)} is not a stack name: stack names use only letters, digits, ".", "_" and "-"`,
    };
  }
  return { ok: true, value: arg };
}

export function checkGateName(arg: string): Parsed<string> {
  if (arg.length > MAX_NAME_LENGTH) {
    return { ok: false, error: `${display(arg)} is too long for a gate name (at most ${MAX_NAME_LENGTH})` };
  }
  if (!GATE_NAME.test(arg)) {
    return {
      ok: false,
      error: `${display(arg)} is not a gate name: gate names use only letters, digits, ".", "_" and "-", optionally after "org:"`,
    };
  }
  return { ok: true, value: arg };
}

// Control characters and the invisible marks that reorder text (bidi overrides) have no place in a reason.
const UNSAFE_IN_TEXT = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu;

/** A person's reason, cleaned: no control characters, single spaces, at most MAX_REASON_LENGTH characters. */
export function cleanReason(text: string): string {
  const cleaned = text.replace(UNSAFE_IN_TEXT, " ").replace(/\s+/gu, " ").trim();
  const chars = Array.from(cleaned);
  return chars.length > MAX_REASON_LENGTH ? `${chars.slice(0, MAX_REASON_LENGTH - 1).join("")}…` : cleaned;
}

/** Splits on any whitespace, dropping empty words. */
export function words(text: string): string[] {
  return text.split(/\s+/u).filter((w) => w.length > 0);
}
