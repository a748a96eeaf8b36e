import { describe, expect, it } from "vitest";
import type { PullFacts, RepoInfo } from "../../../src/model/repo.js";
import type { PullRecord } from "../../../src/state/pulls.js";
import { recordPullEvent } from "../../../src/workers/events/pull-record.js";

const repo: RepoInfo = {
  installationId: 1,
  owner: "acme",
  repo: "infra",
  repoId: 7,
  defaultBranch: "main",
  private: false,
};
const facts = (head: string): PullFacts => ({
  number: 3,
  nodeId: "PR_3",
  headSha: head,
  headRef: "change",
  baseRef: "main",
  baseSha: "base",
  author: "alice",
  authorIsBot: false,
  draft: false,
  fork: false,
  labels: [],
  state: "open",
  merged: false,
  mergeCommitSha: null,
});
const push = (head: string, before: string, at: string) => ({
  type: "pull" as const,
  repo,
  action: "synchronize",
  pull: facts(head),
  baseChanged: false,
  sender: { login: "alice", isBot: false },
  at,
  before,
});

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

describe("a burst of pushes delivered in any order", () => {
  const start: PullRecord = {
    repo,
    facts: facts("v1"),
    headPushedAt: "2026-12-01T10:00:00Z",
    pushers: ["alice"],
    updatedAt: "2026-12-01T10:00:00Z",
  };
  for (const stamps of [
    ["10:00:00", "10:00:00", "10:00:00", "10:00:00"],
    ["10:00:01", "10:00:01", "10:00:00", "10:00:00"],
    ["10:00:03", "10:00:02", "10:00:01", "10:00:00"],
  ]) {
    it(`ends on the last push whatever the order (stamps ${stamps.join(", ")})`, () => {
      const at = stamps.map((t) => `2026-12-01T${t}Z`);
      const events = [
        push("v5", "v4", at[0]!),
        push("v4", "v3", at[1]!),
        push("v3", "v2", at[2]!),
        push("v2", "v1", at[3]!),
      ];
      for (const order of permutations(events)) {
        const end = order.reduce(recordPullEvent, start);
        expect(end.facts.headSha, order.map((e) => e.pull.headSha).join(" ")).toBe("v5");
      }
    });
  }

  it("never goes back to a head a push replaced", () => {
    const after = [push("v2", "v1", "2026-12-01T10:00:01Z"), push("v3", "v2", "2026-12-01T10:00:01Z")].reduce(
      recordPullEvent,
      start,
    );
    const late = { ...push("v2", "v1", "2026-12-01T10:00:01Z"), action: "labeled", before: undefined };
    expect(recordPullEvent(after, late).facts.headSha).toBe("v3");
  });
});
