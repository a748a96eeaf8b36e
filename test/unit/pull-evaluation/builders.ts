import { loadConfigFiles } from "../../../src/config/load.js";
import type { Level, Stack } from "../../../src/config/types.js";
import type { ApprovalEvent } from "../../../src/engine/approvals.js";
import type { CommandRequest } from "../../../src/engine/commands.js";
import type { PullSnapshot, StackFacts } from "../../../src/engine/pull/snapshot.js";
import { buildPolicyIndex, resolveStack } from "../../../src/engine/resolve.js";
import type { StackJob } from "../../../src/engine/stack-job/types.js";

export const NOW = new Date("2026-12-01T12:00:00Z");
export const HEAD = "a".repeat(40);

const STACK = `apiVersion: flowgate/v1
kind: Stack
metadata: { name: billing-db }
spec: { kind: terraform, environment: production, dir: infra/billing-db }
`;

const POLICY = `apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: prod-careful }
spec:
  selector: { kind: environment, id: production }
  flowControl:
    previewBeforeUpdateOrDestroy: true
    pauseBetweenPreviewAndUpdateOrDestroy: true
    gates: [freeze]
    approvalRules:
      - approvers: { minRequired: 1 }
`;

const GATE = `apiVersion: flowgate/v1
kind: Gate
metadata: { name: freeze }
spec: { default: open, blocks: [merge] }
`;

const BREAK_GLASS = `apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: emergency }
spec:
  selector: { kind: environment, id: production }
  flowControl:
    breakGlass: { allowedTeams: [oncall], notify: ["@acme/security"] }
`;

/** The configuration every case starts from: one production stack, one policy, one gate, break-glass by the org. */
export function config() {
  const files = [
    { path: ".github/flowgate/stacks.yml", level: "repository" as Level, content: STACK },
    { path: ".github/flowgate/policy.yml", level: "repository" as Level, content: POLICY },
    { path: ".github/flowgate/gates.yml", level: "repository" as Level, content: GATE },
    { path: "acme/.github/flowgate/emergency.yml", level: "organization" as Level, content: BREAK_GLASS },
  ];
  const set = loadConfigFiles(files);
  const errors = set.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) throw new Error(errors.map((e) => e.message).join("; "));
  return set;
}

export function stackFacts(
  overrides: Partial<StackFacts> = {},
  opts: { ignoreSchedules?: boolean } = {},
): StackFacts {
  const set = config();
  const stack: Stack = set.stacks[0]!;
  const resolution = resolveStack(buildPolicyIndex(set.policies, NOW), stack, {
    org: "acme",
    now: NOW,
    vars: { files: ["infra/billing-db/main.tf"] },
    ...(opts.ignoreSchedules ? { ignoreSchedules: true } : {}),
  });
  return { stack, files: ["infra/billing-db/main.tf"], resolution, gateToggles: {}, ...overrides };
}

export function snapshot(overrides: Partial<PullSnapshot> = {}): PullSnapshot {
  const set = config();
  return {
    now: NOW,
    pull: {
      repo: { owner: "acme", repo: "infra", repoId: 7 },
      facts: {
        number: 12,
        nodeId: "PR_12",
        headSha: HEAD,
        headRef: "change",
        baseRef: "main",
        baseSha: "b".repeat(40),
        author: "alice",
        authorIsBot: false,
        draft: false,
        fork: false,
        labels: [],
        state: "open",
        merged: false,
        mergeCommitSha: null,
      },
      headPushedAt: "2026-12-01T11:00:00Z",
    },
    trusted: true,
    config: { errors: [], gates: new Map(set.gates.map((g) => [g.name, g])) },
    files: { complete: true, listed: 1, changed: 1 },
    unownedInfra: [],
    stacks: [stackFacts()],
    events: [],
    pushers: ["alice"],
    people: { permissions: {}, teamMembers: {} },
    approvalRequests: [],
    ...overrides,
  };
}

/** A plan job that succeeded for the head at `finishedAt`. */
export function succeededPlan(finishedAt = "2026-12-01T11:30:00Z"): StackJob {
  return {
    id: "7-p12-billing-db-aaaaaaaaaaaa-1",
    status: "succeeded",
    runs: [],
    plan: {
      runId: 1,
      finishedAt,
      summary: { add: 1, change: 0, destroy: 0, replace: 0 },
      resources: [],
      fingerprint: "fp-1",
    },
  } as unknown as StackJob;
}

export function approval(login: string, at: string, overrides: Partial<ApprovalEvent> = {}): ApprovalEvent {
  return {
    id: `review-${login}`,
    kind: "approve",
    source: "review",
    login,
    isBot: false,
    at: new Date(at),
    headSha: HEAD,
    ...overrides,
  };
}

export function request(command: CommandRequest["command"], login = "bob", id = "100-1"): CommandRequest {
  return { id, command, login, commentId: 100, headSha: HEAD, at: "2026-12-01T11:45:00Z" };
}
