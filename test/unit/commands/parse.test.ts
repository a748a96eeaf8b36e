import { describe, expect, it } from "vitest";
import {
  MAX_BODY_LENGTH,
  MAX_COMMANDS,
  OVERRIDE_REASON_REQUIRED,
  parseCommands,
} from "../../../src/engine/commands.js";

const names = (body: string) => parseCommands(body).commands.map((c) => c.command.name);
const messages = (body: string) => parseCommands(body).errors.map((e) => e.message);

describe("where a command stands", () => {
  it("reads a command at the start of a line, up to three spaces in", () => {
    expect(parseCommands("/approve")).toEqual({
      commands: [{ command: { name: "approve", args: [] }, line: 1 }],
      errors: [],
    });
    expect(names("   /approve")).toEqual(["approve"]);
    expect(names("Looks fine.\n/approve db")).toEqual(["approve"]);
  });

  it("ignores a command inside a sentence", () => {
    expect(names("please /approve")).toEqual([]);
    expect(names("- /approve")).toEqual([]);
    expect(names("`/approve`")).toEqual([]);
  });

  it("ignores commands in block quotes, including lazy continuation lines", () => {
    expect(names("> /approve")).toEqual([]);
    expect(names("  > > /approve")).toEqual([]);
    expect(names("> they said\n/approve")).toEqual([]);
    expect(names("> they said\n\n/approve")).toEqual(["approve"]);
  });

  it("ignores commands in backtick and tilde fences, with info strings and longer runs", () => {
    expect(names("```\n/approve\n```\n/plan")).toEqual(["plan"]);
    expect(names("~~~ sh\n/approve\n~~~\n/plan")).toEqual(["plan"]);
    expect(names("````md\n```\n/approve\n```\n````\n/plan")).toEqual(["plan"]);
    // a tilde line does not close a backtick fence
    expect(names("```\n~~~\n/approve\n```\n/plan")).toEqual(["plan"]);
    // indented four spaces, a would-be closing fence is code
    expect(names("```\n    ```\n/approve\n```\n/plan")).toEqual(["plan"]);
  });

  it("treats an unterminated fence as code to the end of the comment", () => {
    expect(names("/plan\n```\n/approve\n/apply")).toEqual(["plan"]);
  });

  it("treats a fence inside a list item as code, until the item ends", () => {
    expect(names("- ```\n  /approve\n  ```\n/plan")).toEqual(["plan"]);
    expect(names("1. ```\n   /approve\n/plan")).toEqual(["plan"]);
  });

  it("does not take inline code for a fence", () => {
    expect(names("```inline``` code\n/approve")).toEqual(["approve"]);
  });

  it("ignores indented code: four spaces or a tab", () => {
    expect(names("    /approve")).toEqual([]);
    expect(names("\t/approve")).toEqual([]);
    expect(names(" \t/approve")).toEqual([]);
  });

  it("ignores commands inside HTML comments, on one line or several", () => {
    expect(names("<!-- /approve -->\n/plan")).toEqual(["plan"]);
    expect(names("<!--\n/approve\n-->\n/plan")).toEqual(["plan"]);
    expect(names("text <!-- hidden\n/approve\n--> more\n/plan")).toEqual(["plan"]);
    expect(parseCommands("/plan db <!-- net -->").commands[0]!.command).toEqual({
      name: "plan",
      args: ["db"],
    });
  });

  it("ignores commands inside raw <pre> blocks", () => {
    expect(names("<pre>\n/approve\n</pre>\n/plan")).toEqual(["plan"]);
  });

  it("needs whitespace or the end of the line after the name", () => {
    expect(names("/approved")).toEqual([]);
    expect(names("/approve, thanks")).toEqual([]);
    expect(names("/approve\tdb")).toEqual(["approve"]);
  });

  it("ignores other bots' slash words silently", () => {
    expect(parseCommands("/cc @alice\n/assign me\n/lgtm")).toEqual({ commands: [], errors: [] });
  });

  it("reads several commands with their line numbers, CRLF or not", () => {
    const parsed = parseCommands("Ship it\r\n/approve db\r\n\r\n/open-gate freeze 2h\r\n");
    expect(parsed.errors).toEqual([]);
    expect(parsed.commands).toEqual([
      { command: { name: "approve", args: ["db"] }, line: 2 },
      {
        command: { name: "open-gate", gate: "freeze", durationMs: 2 * 3_600_000, durationText: "2h" },
        line: 4,
      },
    ]);
    expect(names("/plan\r/approve")).toEqual(["plan", "approve"]);
  });

  it("does not read a body longer than GitHub allows", () => {
    const parsed = parseCommands(`/approve\n${"x".repeat(MAX_BODY_LENGTH)}`);
    expect(parsed.commands).toEqual([]);
    expect(parsed.errors).toHaveLength(1);
    expect(parsed.errors[0]!.message).toContain("too long");
    expect(names(`/approve\n${"x".repeat(MAX_BODY_LENGTH - 10)}`)).toEqual(["approve"]);
  });

  it("reads at most MAX_COMMANDS commands and says so", () => {
    const parsed = parseCommands(Array.from({ length: MAX_COMMANDS + 3 }, () => "/plan").join("\n"));
    expect(parsed.commands).toHaveLength(MAX_COMMANDS);
    expect(parsed.errors.map((e) => e.message)).toEqual([
      `only the first ${MAX_COMMANDS} commands of a comment are read; 3 more were ignored`,
    ]);
  });
});

describe("arguments", () => {
  it("keeps stack names, once each, and accepts names in any case", () => {
    expect(parseCommands("/Plan db net db").commands[0]!.command).toEqual({
      name: "plan",
      args: ["db", "net"],
    });
    for (const name of ["retry", "cancel", "apply"] as const) {
      expect(parseCommands(`/${name} prod-db.v2_x`).commands[0]!.command).toEqual({
        name,
        args: ["prod-db.v2_x"],
      });
    }
  });

  it.each([
    ["/plan a;rm -rf", '"a;rm"'],
    ["/plan `whoami`", '"?whoami?"'],
    ["/plan $(curl evil)", '"$(curl"'],
    ["/approve db|sh", '"db?sh"'],
    ["/plan ../../etc", '"../../etc"'],
    ["/apply @org/team", '"?org/team"'],
    ["/plan db\u202Egpj", '"db?gpj"'],
  ])("refuses %j, naming the argument safely", (body, shown) => {
    const parsed = parseCommands(body);
    expect(parsed.commands).toEqual([]);
    expect(parsed.errors).toHaveLength(1);
    expect(parsed.errors[0]!.message).toContain(`${shown} is not a stack name`);
    expect(parsed.errors[0]!.message).not.toMatch(/[`@|]/);
  });

  it("ends a command at the end of its line, so a newline cannot smuggle in arguments", () => {
    const parsed = parseCommands("/plan db\nrm -rf /\n/plan net\n$(reboot)");
    expect(parsed.errors).toEqual([]);
    expect(parsed.commands.map((c) => c.command)).toEqual([
      { name: "plan", args: ["db"] },
      { name: "plan", args: ["net"] },
    ]);
  });

  it("refuses over-long names", () => {
    expect(messages(`/plan ${"a".repeat(101)}`)[0]).toContain("too long for a stack name");
    expect(names(`/plan ${"a".repeat(100)}`)).toEqual(["plan"]);
  });

  it("quotes the offending line safely in the error", () => {
    const [error] = parseCommands("/plan `x` @everyone").errors;
    expect(error).toMatchObject({ line: 1, text: "/plan ?x? ?everyone" });
  });
});

describe("/reject", () => {
  it("reads stacks before -- and the reason after it", () => {
    expect(parseCommands("/reject db net -- the backup is missing").commands[0]!.command).toEqual({
      name: "reject",
      args: ["db", "net"],
      reason: "the backup is missing",
      separator: true,
    });
    expect(parseCommands("/reject -- too risky").commands[0]!.command).toEqual({
      name: "reject",
      args: [],
      reason: "too risky",
      separator: true,
    });
  });

  it("refuses a bad stack name before --", () => {
    expect(messages("/reject db;x -- why")[0]).toContain('"db;x" is not a stack name');
  });

  it("keeps free words without -- as a possible reason, names only in args", () => {
    expect(parseCommands("/reject this can't go out on Friday!").commands[0]!.command).toEqual({
      name: "reject",
      args: ["this"],
      reason: "this can't go out on Friday!",
      separator: false,
    });
    expect(parseCommands("/reject").commands[0]!.command).toEqual({
      name: "reject",
      args: [],
      separator: false,
    });
  });

  it("cleans control characters out of the reason and bounds its length", () => {
    const command = parseCommands(`/reject -- a\u0007b\u202Ec ${"x".repeat(600)}`).commands[0]!.command;
    expect(command.name).toBe("reject");
    const reason = command.name === "reject" ? command.reason! : "";
    expect(reason.startsWith("a b c ")).toBe(true);
    expect(Array.from(reason)).toHaveLength(500);
  });
});

describe("gate commands", () => {
  it("reads a gate name and an optional duration", () => {
    expect(parseCommands("/open-gate org:release-freeze 30m").commands[0]!.command).toEqual({
      name: "open-gate",
      gate: "org:release-freeze",
      durationMs: 1_800_000,
      durationText: "30m",
    });
    expect(parseCommands("/close-gate sre-approval").commands[0]!.command).toEqual({
      name: "close-gate",
      gate: "sre-approval",
    });
    expect(parseCommands("/open-gate x 1d").commands[0]!.command).toMatchObject({ durationMs: 86_400_000 });
  });

  it.each([
    ["/open-gate", "needs a gate name"],
    ["/open-gate team:x", "is not a gate name"],
    ["/open-gate x 2 hours", "takes a gate name and a duration at most"],
    ["/open-gate x soon", "is not a duration"],
    ["/open-gate x 0m", "zero"],
    ["/close-gate x -1h", "is not a duration such as 30m"],
    ["/open-gate x 1h;rm", "is not a duration such as 30m"],
  ])("refuses %j", (body, message) => {
    const parsed = parseCommands(body);
    expect(parsed.commands).toEqual([]);
    expect(parsed.errors[0]!.message).toContain(message);
  });
});

describe("/override", () => {
  it.each([
    ['/override --reason "INCIDENT-123: database down"', "INCIDENT-123: database down"],
    ["/override --reason 'INCIDENT-123: it is \"down\"'", 'INCIDENT-123: it is "down"'],
    ["/override --reason INCIDENT-123 database down", "INCIDENT-123 database down"],
    ['/override --reason="INC-1"', "INC-1"],
  ])("reads the reason of %j", (body, reason) => {
    expect(parseCommands(body)).toEqual({
      commands: [{ command: { name: "override", reason }, line: 1 }],
      errors: [],
    });
  });

  it.each([
    "/override",
    "/override --reason",
    '/override --reason ""',
    "/override --reason '   '",
    "/override because",
  ])("needs a reason: %j", (body) => {
    expect(parseCommands(body)).toEqual({
      commands: [],
      errors: [expect.objectContaining({ message: OVERRIDE_REASON_REQUIRED })],
    });
  });

  it("refuses an unclosed quote or text after the quote", () => {
    expect(messages('/override --reason "INC-1')[0]).toContain("closing");
    expect(messages('/override --reason "INC-1" now')[0]).toContain("after the quoted reason");
  });
});

describe("/flowgate", () => {
  it("answers help and points anything else to it", () => {
    expect(names("/flowgate help")).toEqual(["help"]);
    const parsed = parseCommands("/flowgate\n/flowgate approve");
    expect(parsed.commands).toEqual([]);
    expect(parsed.errors.map((e) => [e.line, e.help])).toEqual([
      [1, true],
      [2, true],
    ]);
    expect(parsed.errors[1]!.message).toContain("/flowgate help");
  });
});
