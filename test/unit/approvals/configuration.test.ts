import { describe, expect, it } from "vitest";
import { configurationApproval } from "../../../src/engine/approvals.js";
import { approve, input } from "./builders.js";

function configInput(events: ReturnType<typeof approve>[]) {
  const { stacks: _stacks, ...rest } = input(events);
  return rest;
}

describe("configuration-change approval", () => {
  it("needs maintain permission by default", () => {
    const write = configurationApproval({ ...configInput([approve("alice", 1)]), rule: undefined });
    expect(write.stack).toBe("configuration");
    expect(write.satisfied).toBe(false);
    expect(write.refused.map((r) => r.reason)).toEqual(["needs maintain permission, has write"]);

    const maintain = configurationApproval({ ...configInput([approve("dave", 1)]), rule: undefined });
    expect(maintain.counted.map((c) => c.login)).toEqual(["dave"]);
    expect(maintain.satisfied).toBe(true);
  });

  it("does not wait for a plan", () => {
    // Minute 1 is before the builders' plans finish (minute 10); a configuration change has no plan.
    expect(configurationApproval({ ...configInput([approve("dave", 1)]) }).satisfied).toBe(true);
  });

  it("lets nobody approve when no configuration rule matches", () => {
    const r = configurationApproval({ ...configInput([approve("dave", 1)]), rule: null });
    expect(r.satisfied).toBe(false);
    expect(r.ruleMatched).toBe(false);
  });

  it("keeps maintain when a rule leaves minPermission out, and follows a rule that sets it", () => {
    const silent = configurationApproval({
      ...configInput([approve("alice", 1)]),
      rule: { approvers: { minRequired: 1 } },
    });
    expect(silent.satisfied).toBe(false);
    const explicit = configurationApproval({
      ...configInput([approve("alice", 1)]),
      rule: { approvers: { minRequired: 1, minPermission: "write" } },
      ruleSource: "policy config (org)",
    });
    expect(explicit.satisfied).toBe(true);
    expect(explicit.ruleSource).toBe("policy config (org)");
  });

  it("refuses the author even with admin permission", () => {
    const r = configurationApproval({ ...configInput([approve("author", 1)]) });
    expect(r.refused.map((x) => x.reason)).toEqual(["author of the PR"]);
  });
});
