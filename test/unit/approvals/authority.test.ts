import { describe, expect, it } from "vitest";
import type { Gate, Permission } from "../../../src/config/types.js";
import { peopleFacts } from "../../../src/engine/approvals.js";
import {
  mayApply,
  mayBreakGlass,
  mayOpenGate,
  mayPlanFork,
  permissionAtLeast,
} from "../../../src/engine/authority.js";

const ORDER: (Permission | "none")[] = ["none", "read", "triage", "write", "maintain", "admin"];

function gate(extra: Partial<Gate> = {}): Gate {
  return {
    name: "change-freeze",
    default: "closed",
    schedule: [],
    blocks: ["merge", "apply"],
    origin: {
      file: ".github/flowgate/gates.yml",
      level: "repository",
      index: 0,
      pos: () => ({ line: 1, col: 1 }),
    },
    ...extra,
  };
}

const person = (extra: Partial<Parameters<typeof mayOpenGate>[1]> = {}) => ({
  login: "alice",
  permission: "write" as Permission | "none",
  teams: [] as string[],
  isOrgOwner: false,
  ...extra,
});

describe("permissionAtLeast", () => {
  it("orders read < triage < write < maintain < admin, with none below all", () => {
    for (const [i, have] of ORDER.entries()) {
      for (const [j, need] of ORDER.entries()) {
        if (need === "none") continue;
        expect(permissionAtLeast(have, need), `${have} >= ${need}`).toBe(i >= j);
      }
    }
  });
});

describe("mayOpenGate", () => {
  it("lets repository admins and maintainers open a gate that names no openers", () => {
    expect(mayOpenGate(gate(), person({ permission: "maintain" })).allowed).toBe(true);
    expect(mayOpenGate(gate(), person({ permission: "admin" })).allowed).toBe(true);
    const refused = mayOpenGate(gate(), person({ permission: "write" }));
    expect(refused.allowed).toBe(false);
    expect(refused.reason).toContain("needs admin or maintain permission");
  });

  it("lets only named openers open a gate that names them, admins included", () => {
    const g = gate({ openers: { teams: ["sre"], users: ["octocat"] } });
    expect(mayOpenGate(g, person({ login: "OctoCat" })).allowed).toBe(true);
    expect(mayOpenGate(g, person({ teams: ["acme/SRE"] }))).toEqual({
      allowed: true,
      reason: "alice is a member of the openers of gate change-freeze: team sre",
    });
    const admin = mayOpenGate(g, person({ permission: "admin", teams: ["dev"] }));
    expect(admin.allowed).toBe(false);
    expect(admin.reason).toBe(
      "alice is not among the openers of gate change-freeze: teams [sre] or users [octocat]",
    );
  });

  it("lets organization owners open an organization gate that names no openers", () => {
    const g = gate({ name: "org:release-freeze" });
    expect(mayOpenGate(g, person({ isOrgOwner: true })).allowed).toBe(true);
    const admin = mayOpenGate(g, person({ permission: "admin" }));
    expect(admin.allowed).toBe(false);
    expect(admin.reason).toContain("organization owners");
  });
});

describe("mayBreakGlass", () => {
  it("refuses everybody when breakGlass is not configured or names nobody", () => {
    const none = mayBreakGlass(undefined, { login: "alice", teams: ["oncall"] });
    expect(none.allowed).toBe(false);
    expect(none.reason).toContain("not configured");
    expect(mayBreakGlass({ notify: ["@acme/security"] }, { login: "alice", teams: ["oncall"] }).allowed).toBe(
      false,
    );
  });

  it("allows the users and team members it names", () => {
    const bg = { allowedTeams: ["oncall"], allowedUsers: ["octocat"] };
    expect(mayBreakGlass(bg, { login: "alice", teams: ["@acme/oncall"] }).allowed).toBe(true);
    expect(mayBreakGlass(bg, { login: "octocat", teams: [] }).allowed).toBe(true);
    expect(mayBreakGlass(bg, { login: "bob", teams: ["dev"] })).toEqual({
      allowed: false,
      reason: "bob is not among breakGlass allowed teams [oncall] or users [octocat]",
    });
  });
});

describe("mayPlanFork", () => {
  it("needs admin or maintain", () => {
    expect(ORDER.filter(mayPlanFork)).toEqual(["maintain", "admin"]);
  });
});

describe("mayApply", () => {
  const people = peopleFacts({
    author: "author",
    pushers: [],
    permissions: { alice: "write", carol: "read", author: "admin" },
    teamMembers: {},
  });
  it("allows eligible approvers of the stack and refuses others with the reason", () => {
    expect(mayApply({ login: "alice", isBot: false }, { minRequired: 1 }, people).allowed).toBe(true);
    expect(mayApply({ login: "carol", isBot: false }, { minRequired: 1 }, people)).toEqual({
      allowed: false,
      reason: "carol may not apply this stack: needs write permission, has read",
    });
    expect(mayApply({ login: "author", isBot: false }, { minRequired: 1 }, people).allowed).toBe(false);
    expect(mayApply({ login: "alice", isBot: false }, null, people).allowed).toBe(false);
  });
});
