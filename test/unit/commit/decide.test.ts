import { describe, expect, it } from "vitest";
import { loadConfigFiles } from "../../../src/config/load.js";
import { type CommitSnapshot, decideCommit } from "../../../src/engine/commit/decide.js";

const NOW = new Date("2026-12-01T12:00:00Z");
const SHA = "c".repeat(40);
const CONFIG = `apiVersion: flowgate/v1
kind: Stack
metadata: { name: network }
spec: { kind: aws_vpc, environment: production, dir: infra/network }
---
apiVersion: flowgate/v1
kind: Stack
metadata: { name: db }
spec: { kind: aws_rds, environment: production, dir: infra/db, dependsOn: [network, dns] }
---
apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: careful }
spec:
  selector: { kind: environment, id: production }
  flowControl:
    previewBeforeUpdateOrDestroy: true
    pauseBetweenPreviewAndUpdateOrDestroy: true
    gates: [freeze, review-only]
---
apiVersion: flowgate/v1
kind: Gate
metadata: { name: review-only }
spec: { default: open, blocks: [merge] }
`;

function snapshot(overrides: Partial<CommitSnapshot> = {}): CommitSnapshot {
  const set = loadConfigFiles([{ path: ".github/flowgate/all.yml", level: "repository", content: CONFIG }]);
  const stack = (name: string) => set.stacks.find((s) => s.name === name)!;
  return {
    now: NOW,
    repo: { installationId: 1, owner: "acme", repo: "infra", repoId: 7, defaultBranch: "main" },
    sha: SHA,
    merged: {
      number: 4,
      headSha: "h".repeat(40),
      author: "alice",
      authorIsBot: false,
      labels: [],
      baseRef: "main",
    },
    pusher: "alice",
    trusted: true,
    recovering: false,
    policies: set.policies,
    gates: new Map(set.gates.map((g) => [g.name, g])),
    stacks: [
      { stack: stack("network"), files: ["infra/network/main.tf"], jobId: "7-a-network", earlierJobs: {} },
      {
        stack: stack("db"),
        files: ["infra/db/main.tf"],
        jobId: "7-a-db",
        earlierJobs: { dns: "7-a-dns-old" },
      },
    ],
    ...overrides,
  };
}

describe("the apply jobs of a commit, decided from a snapshot", () => {
  it("one job per stack, waiting for this commit's jobs and earlier unfinished ones, with apply-blocking gates", () => {
    const { jobs, problems } = decideCommit(snapshot());
    expect(problems).toEqual([]);
    expect(jobs.map((j) => j.job.id)).toEqual(["7-a-network", "7-a-db"]);
    expect(jobs[1]!.job.dependsOn).toEqual(["7-a-network", "7-a-dns-old"]);
    // an undefined gate counts (closed), a merge-only gate does not block the apply
    expect(jobs[0]!.job.gates).toEqual(["freeze"]);
    expect(jobs[0]!.rule).toMatchObject({ trusted: true, vars: { files: ["infra/network/main.tf"] } });
  });

  it("offers the PR's approval only when it was given on the merged head", () => {
    const approved = { headSha: "h".repeat(40), fingerprint: "fp", approvers: ["bob"] };
    const s = snapshot();
    s.stacks[0]!.approved = approved;
    s.stacks[1]!.approved = { ...approved, headSha: "old".padEnd(40, "0") };
    const { jobs } = decideCommit(s);
    expect(jobs[0]!.job.carryOver).toEqual({ fingerprint: "fp", approvers: ["bob"] });
    expect(jobs[1]!.job.carryOver).toBeUndefined();
    expect(jobs[0]!.reason).toContain("PR approval offered for carry-over");
  });

  it("pauses the first apply after the stack's policy changed", () => {
    const s = snapshot();
    s.stacks[0]!.previousFingerprint = "something-else";
    const { jobs } = decideCommit(s);
    expect(jobs[0]!.job.forcePause).toMatch(/policy this stack resolves to changed \(now careful\)/);
    expect(jobs[1]!.job.forcePause).toBeUndefined();
  });
});
