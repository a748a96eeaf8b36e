/** One command line → a command or an error. The line is known to be visible and to start with `/`. */

import { parseDuration } from "../../lang/time/duration.js";
import type { Parsed } from "../../model/parsed.js";
import { checkGateName, checkStackName, cleanReason, display, words } from "./arguments.js";
import type { Command } from "./types.js";

export const OVERRIDE_REASON_REQUIRED = 'a reason is required: /override --reason "INCIDENT-123: ..."';

const STACK_COMMANDS = ["plan", "approve", "apply", "retry", "cancel", "revert"] as const;
type StackCommandName = (typeof STACK_COMMANDS)[number];

/**
 * `undefined`: not one of ours (other bots' `/cc`, `/assign`, or `/approved`), ignored silently.
 * Otherwise the command, or an error that says what is wrong and, for `/flowgate`, points to help.
 */
export type LineResult =
  | undefined
  | { ok: true; command: Command }
  | { ok: false; error: string; help?: true };

export function parseCommandLine(text: string): LineResult {
  // The name must be followed by whitespace or the end: `/approved` and `/approve,` are not commands.
  const match = /^ {0,3}\/([A-Za-z][A-Za-z0-9-]*)(?=\s|$)([\s\S]*)$/u.exec(text);
  if (!match) return undefined;
  const name = match[1]!.toLowerCase();
  const rest = match[2]!;
  if ((STACK_COMMANDS as readonly string[]).includes(name))
    return stackCommand(name as StackCommandName, rest);
  switch (name) {
    case "reject":
      return rejectCommand(rest);
    case "open-gate":
    case "close-gate":
      return gateCommand(name, rest);
    case "override":
      return overrideCommand(rest);
    case "flowgate":
      return flowgateCommand(rest);
    default:
      return undefined;
  }
}

function stackNames(list: readonly string[]): Parsed<string[]> {
  const names: string[] = [];
  for (const word of list) {
    const checked = checkStackName(word);
    if (!checked.ok) return checked;
    if (!names.includes(word)) names.push(word);
  }
  return { ok: true, value: names };
}

function stackCommand(name: StackCommandName, rest: string): LineResult {
  const names = stackNames(words(rest));
  if (!names.ok) return { ok: false, error: `/${name}: ${names.error}` };
  return { ok: true, command: { name, args: names.value } };
}

/**
 * `/reject [stack ...] -- reason` names its stacks; `/reject words` may be stacks or a reason, which
 * only the affected stacks can tell (`scopeStacks`): args keeps the leading words that could be names.
 */
function rejectCommand(rest: string): LineResult {
  const separator = /(?:^|\s)--(?:\s|$)/u.exec(rest);
  if (separator) {
    const names = stackNames(words(rest.slice(0, separator.index)));
    if (!names.ok) return { ok: false, error: `/reject: ${names.error}` };
    const reason = cleanReason(rest.slice(separator.index + separator[0].length));
    return {
      ok: true,
      command: { name: "reject", args: names.value, separator: true, ...reasonField(reason) },
    };
  }
  const all = words(rest);
  const args: string[] = [];
  for (const word of all) {
    if (!checkStackName(word).ok) break;
    args.push(word);
  }
  const reason = cleanReason(rest);
  return { ok: true, command: { name: "reject", args, separator: false, ...reasonField(reason) } };
}

function reasonField(reason: string): { reason?: string } {
  return reason.length > 0 ? { reason } : {};
}

function gateCommand(name: "open-gate" | "close-gate", rest: string): LineResult {
  const usage = `/${name} NAME [DURATION]`;
  const [gate, duration, ...extra] = words(rest);
  if (gate === undefined) return { ok: false, error: `/${name} needs a gate name: ${usage}` };
  const checked = checkGateName(gate);
  if (!checked.ok) return { ok: false, error: `/${name}: ${checked.error}` };
  if (extra.length > 0)
    return { ok: false, error: `/${name} takes a gate name and a duration at most: ${usage}` };
  if (duration === undefined) return { ok: true, command: { name, gate } };
  // Only plain short words reach parseDuration, whose messages quote what they were given.
  const parsed = /^[A-Za-z0-9]{1,20}$/.test(duration) ? parseDuration(duration) : undefined;
  if (!parsed)
    return { ok: false, error: `/${name}: ${display(duration)} is not a duration such as 30m, 2h or 1d` };
  if (!parsed.ok) return { ok: false, error: `/${name}: ${parsed.error}` };
  if (parsed.value <= 0) return { ok: false, error: `/${name}: the duration must be longer than zero` };
  return { ok: true, command: { name, gate, durationMs: parsed.value, durationText: duration } };
}

/** `/override --reason "TEXT"`, `--reason 'TEXT'` or `--reason TEXT` to the end of the line. */
function overrideCommand(rest: string): LineResult {
  const match = /^\s*--reason(?:=|\s+|$)([\s\S]*)$/u.exec(rest);
  if (!match) return { ok: false, error: OVERRIDE_REASON_REQUIRED };
  const value = match[1]!.trim();
  let reason = value;
  const quote = value[0];
  if (quote === '"' || quote === "'") {
    const close = value.indexOf(quote, 1);
    if (close < 0) return { ok: false, error: `/override: the reason's closing ${quote} is missing` };
    if (value.slice(close + 1).trim().length > 0) {
      return { ok: false, error: "/override: unexpected text after the quoted reason" };
    }
    reason = value.slice(1, close);
  }
  const cleaned = cleanReason(reason);
  if (cleaned.length === 0) return { ok: false, error: OVERRIDE_REASON_REQUIRED };
  return { ok: true, command: { name: "override", reason: cleaned } };
}

function flowgateCommand(rest: string): LineResult {
  const [sub] = words(rest);
  if (sub?.toLowerCase() === "help") return { ok: true, command: { name: "help" } };
  const what = sub === undefined ? "/flowgate needs a command" : `/flowgate ${display(sub)} is not a command`;
  return { ok: false, error: `${what}; \`/flowgate help\` lists them`, help: true };
}
