import { describe, expect, it } from "vitest";
import { type CommandFacts, commandLookups, decideCommands } from "../../../src/engine/pull/commands.js";
import { HEAD, request, snapshot, stackFacts } from "./builders.js";

function facts(overrides: Partial<CommandFacts> = {}): CommandFacts {
  const s = snapshot();
  return { pull: s.pull, stacks: s.stacks, requests: [], permissions: {}, teams: {}, ...overrides };
}

describe("commands: what each one comes to, decided without carrying anything out", () => {
  it("plans on /plan by someone with write permission, and refuses a reader with the reason", () => {
    const plan = request({ name: "plan", args: [] }, "bob");
    const [ok] = decideCommands(facts({ requests: [plan], permissions: { bob: "write" } }));
    expect(ok).toMatchObject({ kind: "start-plans", ok: true, starts: [{ sha: HEAD, attempt: 1 }] });
    const [refused] = decideCommands(facts({ requests: [plan], permissions: { bob: "read" } }));
    expect(refused).toEqual({
      kind: "answer",
      request: plan,
      ok: false,
      lines: ["- refused: `/plan` needs write permission; you have read"],
    });
  });

  it("refuses a command whose head moved, but keeps an /approve for counting", () => {
    const moved = { ...request({ name: "plan", args: [] }), headSha: "c".repeat(40) };
    const approve = { ...request({ name: "approve", args: [] }, "bob", "101-1"), headSha: "c".repeat(40) };
    const [a, b] = decideCommands(facts({ requests: [moved, approve], permissions: { bob: "write" } }));
    expect(a).toMatchObject({ kind: "answer", ok: false, lines: [expect.stringMatching(/head moved/)] });
    expect(b).toMatchObject({ kind: "record-approval", event: { id: "comment-101-1", kind: "approve" } });
  });

  it("/retry needs a failed plan, and starts the next attempt", () => {
    const retry = request({ name: "retry", args: [] });
    const failed = { id: "7-p12-billing-db-aaaaaaaaaaaa-1", status: "failed" } as never;
    const [nothing] = decideCommands(facts({ requests: [retry], permissions: { bob: "write" } }));
    expect(nothing).toMatchObject({ starts: [], lines: ["- `billing-db`: nothing to retry (no plan yet)"] });
    const [again] = decideCommands(
      facts({ requests: [retry], permissions: { bob: "write" }, stacks: [stackFacts({ planJob: failed })] }),
    );
    expect(again).toMatchObject({ kind: "start-plans", starts: [{ attempt: 2 }] });
  });

  it("/override only for members of a break-glass team, naming who is notified", () => {
    const override = request({ name: "override", reason: "INC-1: db down" }, "dave");
    const lookups = commandLookups([override], snapshot().stacks);
    expect(lookups.teamsOf).toEqual([{ login: "dave", teams: ["oncall"] }]);
    const [refused] = decideCommands(facts({ requests: [override], teams: { dave: [] } }));
    expect(refused).toMatchObject({ kind: "override-refused" });
    const [allowed] = decideCommands(facts({ requests: [override], teams: { dave: ["oncall"] } }));
    expect(allowed).toMatchObject({ kind: "override", notify: ["@acme/security"] });
  });

  it("names stacks the PR does not touch and only finishes commands that act elsewhere", () => {
    const cancel = request({ name: "cancel", args: ["billing-db", "network"] });
    const [c] = decideCommands(facts({ requests: [cancel], permissions: { bob: "maintain" } }));
    expect(c).toMatchObject({
      kind: "cancel-plans",
      jobs: [{ stack: "billing-db" }],
      lines: ["- not affected by this PR, ignored: `network`"],
    });
    const [help] = decideCommands(facts({ requests: [request({ name: "help" })] }));
    expect(help).toMatchObject({ kind: "finish" });
  });
});
