import { describe, expect, it } from "vitest";
import type { ApprovalRule } from "../../../src/config/types.js";
import { type ApprovalInput, countApprovals, type StackApproval } from "../../../src/engine/approvals.js";
import { approve, HEAD, input, OLD_HEAD, ONE_APPROVER, reject, stack, t } from "./builders.js";

function only(result: StackApproval[]): StackApproval {
  expect(result).toHaveLength(1);
  return result[0]!;
}

function count(i: ApprovalInput): StackApproval {
  return only(countApprovals(i));
}

const counted = (r: StackApproval) => r.counted.map((c) => c.login);
const refusedWhy = (r: StackApproval) => r.refused.map((x) => `${x.login}: ${x.reason}`);

describe("who may approve", () => {
  it("refuses a comment approval by the PR author and counts it when the rule allows authors", () => {
    const events = [approve("author", 20, { source: "comment" })];
    const refused = count(input(events));
    expect(refused.satisfied).toBe(false);
    expect(refusedWhy(refused)).toEqual(["author: author of the PR"]);

    const allowed = count(
      input(events, { stacks: [stack({ rule: { approvers: { minRequired: 1, allowAuthor: true } } })] }),
    );
    expect(counted(allowed)).toEqual(["author"]);
    expect(allowed.satisfied).toBe(true);
  });

  it("refuses someone who pushed a commit to the PR, in any letter case", () => {
    const r = count(input([approve("Pusher", 20)]));
    expect(refusedWhy(r)).toEqual(["Pusher: pushed a commit to the PR"]);
    expect(count(input([approve("bob", 20)])).satisfied).toBe(true);
  });

  it("refuses a reviewer without write permission and one the caller has no permission for", () => {
    const r = count(input([approve("carol", 20), approve("mallory", 21)]));
    expect(refusedWhy(r)).toEqual([
      "carol: needs write permission, has read",
      "mallory: needs write permission, has none",
    ]);
    expect(r.counted).toEqual([]);

    const lowered = count(
      input([approve("carol", 20)], {
        stacks: [stack({ rule: { approvers: { minRequired: 1, minPermission: "read" } } })],
      }),
    );
    expect(counted(lowered)).toEqual(["carol"]);
  });

  it("refuses bots, whether flagged or named [bot]", () => {
    const r = count(input([approve("helper", 20, { isBot: true }), approve("renovate[bot]", 21)]));
    expect(refusedWhy(r)).toEqual(["helper: bots cannot approve", "renovate[bot]: bots cannot approve"]);
    expect(r.satisfied).toBe(false);
  });

  it("counts a member of fromTeams (logins ignore case) and refuses a non-member", () => {
    const rule: ApprovalRule = { approvers: { minRequired: 1, fromTeams: ["platform-team"] } };
    const r = count(input([approve("ALICE", 20), approve("bob", 21)], { stacks: [stack({ rule })] }));
    expect(counted(r)).toEqual(["ALICE"]);
    expect(refusedWhy(r)).toEqual(["bob: not in fromTeams [platform-team]"]);
    expect(r.satisfied).toBe(true);
  });

  it("counts a user named in fromUsers and names both lists when refusing", () => {
    const rule: ApprovalRule = {
      approvers: { minRequired: 1, fromTeams: ["platform-team"], fromUsers: ["octocat"] },
    };
    const r = count(input([approve("octocat", 20), approve("bob", 21)], { stacks: [stack({ rule })] }));
    expect(counted(r)).toEqual(["octocat"]);
    expect(refusedWhy(r)).toEqual(["bob: not in fromTeams [platform-team] or fromUsers [octocat]"]);

    const usersOnly = count(
      input([approve("bob", 21)], {
        stacks: [stack({ rule: { approvers: { minRequired: 1, fromUsers: ["octocat"] } } })],
      }),
    );
    expect(refusedWhy(usersOnly)).toEqual(["bob: not in fromUsers [octocat]"]);
  });

  it("looks up permissions without regard to letter case", () => {
    const r = count(input([approve("Bob", 20)], { permissions: { BOB: "write" } }));
    expect(counted(r)).toEqual(["Bob"]);
  });
});

describe("when an approval counts", () => {
  it("refuses an approval given on an earlier head and counts one on the current head", () => {
    const stale = count(input([approve("alice", 20, { headSha: OLD_HEAD })]));
    expect(refusedWhy(stale)).toEqual(["alice: given on abc1234, head is now def5678"]);
    expect(stale.satisfied).toBe(false);

    const fresh = count(input([approve("alice", 20, { headSha: OLD_HEAD }), approve("alice", 25)]));
    expect(counted(fresh)).toEqual(["alice"]);
    expect(fresh.refused).toEqual([]);
  });

  it("binds a button click to its check run's head", () => {
    const click = approve("alice", 20, { source: "button", headSha: OLD_HEAD });
    expect(refusedWhy(count(input([click])))).toEqual(["alice: given on abc1234, head is now def5678"]);
    expect(count(input([{ ...click, headSha: HEAD }])).satisfied).toBe(true);
  });

  it("refuses a comment approval made before the current head was pushed", () => {
    const early = approve("alice", -5, { source: "comment" });
    const r = count(input([early], { stacks: [stack({ planRequired: false })] }));
    expect(refusedWhy(r)).toEqual(["alice: made before the current head was pushed"]);
    const late = count(input([{ ...early, at: t(5) }], { stacks: [stack({ planRequired: false })] }));
    expect(counted(late)).toEqual(["alice"]);
  });

  it("refuses an approval given before the base changed and counts one after", () => {
    const before = count(input([approve("alice", 20)], { baseChangedAt: t(30) }));
    expect(refusedWhy(before)).toEqual(["alice: given before the base changed"]);
    const after = count(input([approve("alice", 20), approve("alice", 40)], { baseChangedAt: t(30) }));
    expect(counted(after)).toEqual(["alice"]);
    expect(after.counted[0]!.at).toEqual(t(40));
  });

  it("refuses an approval given before the plan finished, or while it has not", () => {
    expect(refusedWhy(count(input([approve("alice", 5)])))).toEqual([
      "alice: given before the plan finished",
    ]);
    const unfinished = count(
      input([approve("alice", 50)], { stacks: [stack({ planFinishedAt: undefined })] }),
    );
    expect(refusedWhy(unfinished)).toEqual(["alice: given before the plan finished"]);
    expect(counted(count(input([approve("alice", 15)])))).toEqual(["alice"]);
    // Without a required plan, timing against it does not apply.
    expect(
      counted(count(input([approve("alice", 5)], { stacks: [stack({ planRequired: false })] }))),
    ).toEqual(["alice"]);
  });

  it("refuses an approval whose time is not a valid date", () => {
    const r = count(input([approve("alice", 20, { at: new Date(Number.NaN) })]));
    expect(r.satisfied).toBe(false);
    expect(refusedWhy(r)).toEqual(["alice: given before the plan finished"]);
  });

  it("counts distinct people towards minRequired", () => {
    const two: ApprovalRule = { approvers: { minRequired: 2 } };
    const twice = count(
      input([approve("alice", 20), approve("alice", 21, { source: "comment" })], {
        stacks: [stack({ rule: two })],
      }),
    );
    expect(twice.required).toBe(2);
    expect(counted(twice)).toEqual(["alice"]);
    expect(twice.satisfied).toBe(false);
    expect(twice.summary).toBe("1 of 2 approvals (alice)");

    const pair = count(
      input([approve("alice", 20), approve("bob", 21, { source: "comment" })], {
        stacks: [stack({ rule: two })],
      }),
    );
    expect(counted(pair)).toEqual(["alice", "bob"]);
    expect(pair.satisfied).toBe(true);
    expect(pair.summary).toBe("2 of 2 approvals (alice, bob)");
  });

  it("ignores a redelivered event with the same source and id", () => {
    const a = approve("alice", 20);
    const r = count(input([a, { ...a }], { stacks: [stack({ rule: { approvers: { minRequired: 2 } } })] }));
    expect(r.counted).toHaveLength(1);
  });

  it("summarises who counted and who was refused", () => {
    const r = count(
      input([approve("alice", 20), approve("author", 21), approve("carol", 22)], {
        stacks: [stack({ rule: { approvers: { minRequired: 2 } } })],
      }),
    );
    expect(r.summary).toBe(
      "1 of 2 approvals (alice); refused: author (author of the PR), carol (needs write permission, has read)",
    );
  });
});

describe("rejections", () => {
  it("lets the latest review win", () => {
    const thenRejected = count(input([approve("alice", 20), reject("alice", 25, { source: "review" })]));
    expect(thenRejected.counted).toEqual([]);
    expect(thenRejected.blockedBy.map((b) => b.login)).toEqual(["alice"]);
    expect(thenRejected.satisfied).toBe(false);

    const thenApproved = count(input([reject("alice", 20, { source: "review" }), approve("alice", 25)]));
    expect(counted(thenApproved)).toEqual(["alice"]);
    expect(thenApproved.blockedBy).toEqual([]);
    expect(thenApproved.satisfied).toBe(true);
  });

  it("blocks until the same person approves, whoever else approves", () => {
    const r = count(input([reject("bob", 15, { reason: "needs a backup first" }), approve("alice", 20)]));
    expect(counted(r)).toEqual(["alice"]);
    expect(r.blockedBy).toEqual([
      {
        login: "bob",
        source: "comment",
        eventId: expect.any(String),
        reason: "needs a backup first",
        at: t(15),
      },
    ]);
    expect(r.satisfied).toBe(false);
    expect(r.summary).toBe("1 of 1 approval (alice); rejected by bob");

    const lifted = count(
      input([reject("bob", 15), approve("alice", 20), approve("bob", 30, { source: "comment" })]),
    );
    expect(lifted.blockedBy).toEqual([]);
    expect(counted(lifted)).toEqual(["alice", "bob"]);
    expect(lifted.satisfied).toBe(true);
  });

  it("is voided by a push", () => {
    const r = count(input([reject("bob", 15, { headSha: OLD_HEAD }), approve("alice", 20)]));
    expect(r.blockedBy).toEqual([]);
    expect(r.satisfied).toBe(true);
    expect(r.refused).toEqual([
      expect.objectContaining({
        login: "bob",
        kind: "reject",
        reason: "given on abc1234, head is now def5678",
      }),
    ]);
  });

  it("is ignored from someone who may not approve", () => {
    const r = count(input([reject("carol", 15), reject("author", 16), approve("alice", 20)]));
    expect(r.blockedBy).toEqual([]);
    expect(r.satisfied).toBe(true);
    expect(r.refused.map((x) => `${x.kind} ${x.login}: ${x.reason}`)).toEqual([
      "reject carol: needs write permission, has read",
      "reject author: author of the PR",
    ]);
  });

  it("counts from an eligible approver even before the plan finished", () => {
    const r = count(input([reject("bob", 2), approve("alice", 20)]));
    expect(r.blockedBy.map((b) => b.login)).toEqual(["bob"]);
  });

  it("withdraws an earlier approval even when the rejection is on an older head, without blocking", () => {
    const r = count(input([approve("bob", 15), reject("bob", 20, { source: "review", headSha: OLD_HEAD })]));
    expect(r.counted).toEqual([]);
    expect(r.blockedBy).toEqual([]);
    expect(r.refused.map((x) => `${x.kind}: ${x.reason}`)).toEqual([
      "reject: given on abc1234, head is now def5678",
    ]);
  });

  it("withdraws the rejecting person's earlier approval", () => {
    const r = count(input([approve("bob", 15), reject("bob", 20, { source: "review" })]));
    expect(r.counted).toEqual([]);
    expect(r.blockedBy.map((b) => b.login)).toEqual(["bob"]);
  });

  it("blocks only the stacks it names, and every stack when it names none", () => {
    const stacks = [stack({ stack: "db" }), stack({ stack: "network" })];
    const named = countApprovals(
      input([reject("bob", 15, { stacks: ["network"] }), approve("alice", 20)], { stacks }),
    );
    expect(named.map((s) => [s.stack, s.satisfied])).toEqual([
      ["db", true],
      ["network", false],
    ]);
    const all = countApprovals(input([reject("bob", 15), approve("alice", 20)], { stacks }));
    expect(all.map((s) => s.satisfied)).toEqual([false, false]);
  });

  it("blocks a stack that needs no approval", () => {
    const free = stack({ approvalRequired: false });
    const open = count(input([], { stacks: [free] }));
    expect(open).toMatchObject({ required: 0, satisfied: true, summary: "no approval needed" });
    const blocked = count(input([reject("bob", 15)], { stacks: [free] }));
    expect(blocked.satisfied).toBe(false);
    expect(blocked.summary).toBe("no approval needed; rejected by bob");
  });
});

describe("scope and rules", () => {
  it("applies an approval only to the stacks it names", () => {
    const stacks = [stack({ stack: "db" }), stack({ stack: "network" })];
    const r = countApprovals(
      input([approve("alice", 20, { source: "comment", stacks: ["network"] })], { stacks }),
    );
    expect(r.map((s) => [s.stack, s.satisfied])).toEqual([
      ["db", false],
      ["network", true],
    ]);
    expect(r[0]!.summary).toBe("0 of 1 approval");
  });

  it("lets nobody approve when no rule matches", () => {
    const r = count(
      input([approve("alice", 20), approve("dave", 21)], {
        stacks: [stack({ rule: null, ruleSource: "policy prod" })],
      }),
    );
    expect(r.satisfied).toBe(false);
    expect(r.ruleMatched).toBe(false);
    expect(r.ruleSource).toBe("policy prod");
    expect(r.counted).toEqual([]);
    expect(new Set(r.refused.map((x) => x.reason))).toEqual(
      new Set(["no approval rule matches this change; only break-glass can pass it"]),
    );
    expect(r.summary).toBe("no approval rule matches this change; only break-glass can pass it");
  });

  it("still honours a rejection by a default approver when no rule matches", () => {
    const r = count(input([reject("bob", 15)], { stacks: [stack({ rule: null, approvalRequired: false })] }));
    expect(r.blockedBy.map((b) => b.login)).toEqual(["bob"]);
  });

  it("counts each stack against its own rule", () => {
    const stacks = [
      stack({ stack: "db", rule: { approvers: { minRequired: 1, fromUsers: ["octocat"] } } }),
      stack({ stack: "cache", rule: ONE_APPROVER }),
    ];
    const r = countApprovals(input([approve("alice", 20)], { stacks }));
    expect(r.map((s) => [s.stack, s.satisfied, counted(s)])).toEqual([
      ["db", false, []],
      ["cache", true, ["alice"]],
    ]);
  });
});
