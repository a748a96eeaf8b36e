import { describe, expect, it } from "vitest";
import { type Command, parseCommands, scopeStacks } from "../../../src/engine/commands.js";

const AFFECTED = ["db", "network", "cache"];

function first(body: string): Command {
  const parsed = parseCommands(body);
  expect(parsed.errors).toEqual([]);
  return parsed.commands[0]!.command;
}

describe("scopeStacks", () => {
  it("acts on every affected stack when no stack is named", () => {
    expect(scopeStacks(first("/approve"), AFFECTED)).toEqual({ stacks: AFFECTED, unknown: [] });
  });

  it("puts names the PR does not affect in unknown", () => {
    expect(scopeStacks(first("/plan network dns db"), AFFECTED)).toEqual({
      stacks: ["network", "db"],
      unknown: ["dns"],
    });
  });

  it("scopes /reject with -- to the named stacks", () => {
    expect(scopeStacks(first("/reject db -- no backup"), AFFECTED)).toEqual({
      stacks: ["db"],
      unknown: [],
      reason: "no backup",
    });
    expect(scopeStacks(first("/reject -- no backup"), AFFECTED)).toEqual({
      stacks: AFFECTED,
      unknown: [],
      reason: "no backup",
    });
  });

  it("reads /reject words as the reason for every stack when the first word is no affected stack", () => {
    expect(scopeStacks(first("/reject too risky on a Friday"), AFFECTED)).toEqual({
      stacks: AFFECTED,
      unknown: [],
      reason: "too risky on a Friday",
    });
    expect(scopeStacks(first("/reject"), AFFECTED)).toEqual({ stacks: AFFECTED, unknown: [] });
  });

  it("reads leading affected stacks of /reject as its scope and the rest as the reason", () => {
    expect(scopeStacks(first("/reject db network needs a window!"), AFFECTED)).toEqual({
      stacks: ["db", "network"],
      unknown: [],
      reason: "needs a window!",
    });
    expect(scopeStacks(first("/reject cache"), AFFECTED)).toEqual({ stacks: ["cache"], unknown: [] });
  });

  it("gives gate and help commands no stacks, and an override every stack", () => {
    expect(scopeStacks(first("/open-gate freeze"), AFFECTED)).toEqual({ stacks: [], unknown: [] });
    expect(scopeStacks(first("/flowgate help"), AFFECTED)).toEqual({ stacks: [], unknown: [] });
    expect(scopeStacks(first('/override --reason "INC-9"'), AFFECTED)).toEqual({
      stacks: AFFECTED,
      unknown: [],
      reason: "INC-9",
    });
  });
});
