import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GATE_NAME, MAX_REASON_LENGTH, parseCommands, STACK_NAME } from "../../../src/engine/commands.js";

const COMMAND_WORDS = [
  "/plan",
  "/approve",
  "/reject",
  "/apply",
  "/retry",
  "/cancel",
  "/open-gate",
  "/close-gate",
  "/override",
  "/flowgate",
  "--",
  "--reason",
  "```",
  "~~~",
  ">",
  "<!--",
  "-->",
  "org:",
  "30m",
  "\t",
  "    ",
  "\r\n",
  "\n",
  '"',
  "'",
  "`",
  "$(",
  ";",
];

/** Comment bodies built from command-like pieces and arbitrary text, so the parser's paths are reached. */
const pieces = fc
  .array(
    fc.oneof(
      fc.constantFrom(...COMMAND_WORDS),
      fc.string(),
      fc.string({ unit: "binary" }),
      fc.constantFrom(" ", "\n"),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(""));

/** Lines that start with a command and carry arbitrary arguments: most of them parse or fail on an argument. */
const argument = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.stringMatching(/^[A-Za-z0-9._:;$()`-]{1,12}$/),
  fc.constantFrom("--", "--reason", '"INC-1"', "'x", "30m", "1d", "org:freeze", "db"),
);
const commandLines = fc
  .array(
    fc.tuple(
      fc.constantFrom("", " ", "   ", "> "),
      fc.constantFrom(...COMMAND_WORDS.slice(0, 10)),
      fc.array(argument, { maxLength: 5 }),
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((lines) => lines.map(([lead, name, args]) => [lead + name, ...args].join(" ")).join("\n"));

const body = fc.oneof(pieces, commandLines);

const UNSAFE_TEXT = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;

describe("parseCommands on any input", () => {
  it("never throws and never lets an odd character into a name or a duration", () => {
    fc.assert(
      fc.property(fc.oneof(body, fc.string({ unit: "binary", maxLength: 400 })), (text) => {
        const parsed = parseCommands(text);
        for (const { command } of parsed.commands) {
          switch (command.name) {
            case "plan":
            case "approve":
            case "apply":
            case "retry":
            case "cancel":
            case "reject":
              for (const arg of command.args) expect(arg).toMatch(STACK_NAME);
              if (command.name === "reject" && command.reason !== undefined) {
                expect(command.reason).not.toMatch(UNSAFE_TEXT);
                expect(Array.from(command.reason).length).toBeLessThanOrEqual(MAX_REASON_LENGTH);
              }
              break;
            case "open-gate":
            case "close-gate":
              expect(command.gate).toMatch(GATE_NAME);
              if (command.durationText !== undefined) expect(command.durationText).toMatch(/^[0-9dhms]+$/);
              break;
            case "override":
              expect(command.reason.length).toBeGreaterThan(0);
              expect(command.reason).not.toMatch(UNSAFE_TEXT);
              break;
            case "help":
              break;
          }
        }
        for (const error of parsed.errors) expect(error.text).not.toMatch(/[`@<>|\p{Cc}]/u);
      }),
      { numRuns: 3000 },
    );
  });
});
