/**
 * Comment commands (SPEC §3.2): which commands a new comment holds, and which stacks each acts on.
 * Bad input comes back as errors with the line they stand on; nothing here throws.
 */
import { safeText } from "./commands/arguments.js";
import { visibleLines } from "./commands/markdown.js";
import { parseCommandLine } from "./commands/parse-line.js";
import type { Command, CommandError, ParsedComment } from "./commands/types.js";

export { GATE_NAME, MAX_REASON_LENGTH, STACK_NAME } from "./commands/arguments.js";
export { OVERRIDE_REASON_REQUIRED } from "./commands/parse-line.js";
export type { Command, CommandError, CommandRequest, ParsedComment } from "./commands/types.js";

/** GitHub's own limit for a comment body; anything longer is not ours to read. */
export const MAX_BODY_LENGTH = 65_536;
/** A comment acts on at most this many commands, so one comment cannot queue unbounded work. */
export const MAX_COMMANDS = 20;
const MAX_ERRORS = 20;

export function parseCommands(body: string): ParsedComment {
  if (body.length > MAX_BODY_LENGTH) {
    return {
      commands: [],
      errors: [
        {
          line: 1,
          text: "",
          message: `the comment is too long to read commands from (${body.length} characters; at most ${MAX_BODY_LENGTH})`,
        },
      ],
    };
  }
  const parsed: ParsedComment = { commands: [], errors: [] };
  let dropped = 0;
  let droppedErrors = 0;
  for (const { line, text } of visibleLines(body.split(/\r\n|\r|\n/))) {
    const result = parseCommandLine(text);
    if (result === undefined) continue;
    if (!result.ok) {
      if (parsed.errors.length >= MAX_ERRORS) droppedErrors++;
      else parsed.errors.push(commandError(line, text, result.error, result.help));
      continue;
    }
    if (parsed.commands.length >= MAX_COMMANDS) dropped++;
    else parsed.commands.push({ command: result.command, line });
  }
  if (dropped > 0) {
    parsed.errors.push({
      line: 1,
      text: "",
      message: `only the first ${MAX_COMMANDS} commands of a comment are read; ${dropped} more were ignored`,
    });
  }
  if (droppedErrors > 0) {
    parsed.errors.push({
      line: 1,
      text: "",
      message: `${droppedErrors} more lines with errors were not listed`,
    });
  }
  return parsed;
}

function commandError(line: number, text: string, message: string, help?: true): CommandError {
  return { line, text: safeText(text.trim(), 80), message, ...(help ? { help } : {}) };
}

/**
 * The stacks a command acts on, among those the PR affects (or, after the merge, the pending ones).
 * No names: every affected stack. Names that are not affected go to `unknown`. `/reject` without `--`
 * reads its leading affected stack names as the scope and the rest as the reason; when the first word
 * is no affected stack, every word is the reason and the scope is every affected stack.
 */
export function scopeStacks(
  cmd: Command,
  affected: readonly string[],
): { stacks: string[]; unknown: string[]; reason?: string } {
  switch (cmd.name) {
    case "plan":
    case "approve":
    case "apply":
    case "retry":
    case "cancel":
    case "revert":
      return named(cmd.args, affected);
    case "reject": {
      if (cmd.separator)
        return { ...named(cmd.args, affected), ...(cmd.reason ? { reason: cmd.reason } : {}) };
      let scoped = 0;
      while (scoped < cmd.args.length && affected.includes(cmd.args[scoped]!)) scoped++;
      if (scoped === 0)
        return { stacks: [...affected], unknown: [], ...(cmd.reason ? { reason: cmd.reason } : {}) };
      const reason = (cmd.reason ?? "").split(" ").slice(scoped).join(" ");
      return { ...named(cmd.args.slice(0, scoped), affected), ...(reason ? { reason } : {}) };
    }
    case "override":
      // Break-glass acts on the whole PR at its current head.
      return { stacks: [...affected], unknown: [], reason: cmd.reason };
    case "open-gate":
    case "close-gate":
    case "help":
      return { stacks: [], unknown: [] };
  }
}

function named(
  args: readonly string[],
  affected: readonly string[],
): { stacks: string[]; unknown: string[] } {
  if (args.length === 0) return { stacks: [...affected], unknown: [] };
  const stacks: string[] = [];
  const unknown: string[] = [];
  for (const arg of args) {
    const into = affected.includes(arg) ? stacks : unknown;
    if (!into.includes(arg)) into.push(arg);
  }
  return { stacks, unknown };
}
