import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CliIO } from "../../../src/cli/io.js";
import { runCli } from "../../../src/cli/main.js";

function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "flowgate-explain-"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

function io(cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), cwd, env: {} };
  return { cli, out: () => out.join(""), err: () => err.join("") };
}

const REPO = {
  ".github/flowgate/stacks.yml": `apiVersion: flowgate/v1
kind: Stack
metadata: { name: billing-database }
spec: { kind: aws_rds, environment: production, dir: infra/prod/billing-db, gates: [change-freeze] }
---
apiVersion: flowgate/v1
kind: Gate
metadata: { name: change-freeze }
spec: { default: open, schedule: [ { days: fri, timezone: Europe/Berlin, state: closed } ] }
`,
  ".github/flowgate/policies.yml": `apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: production-careful }
spec:
  selector: { kind: environment, id: production }
  flowControl:
    pauseBetweenPreviewAndUpdateOrDestroy: true
    approvalRules: [ { approvers: { minRequired: 2, fromTeams: [platform-team] } } ]
---
apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: critical-database-extra-careful }
spec:
  selector: { kind: aws_rds, id: billing-database }
  flowControl: { isManual: true }
`,
};

describe("flowgate explain", () => {
  it("--json maps each of the five controls to its value, policy and file", async () => {
    const root = workspace(REPO);
    const t = io(root);
    const code = await runCli(
      ["explain", "--stack", "billing-database", "--org", "acme", "--at", "2026-11-23T12:00:00Z", "--json"],
      t.cli,
    );
    expect(code).toBe(0);
    const report = JSON.parse(t.out());
    expect(report.flowControl.isManual).toMatchObject({
      value: true,
      policy: "critical-database-extra-careful",
      file: ".github/flowgate/policies.yml",
    });
    expect(report.flowControl.pauseBetweenPreviewAndUpdateOrDestroy).toMatchObject({
      value: true,
      policy: "production-careful",
    });
    expect(report.flowControl.previewBeforeUpdateOrDestroy).toMatchObject({
      value: true,
      policy: "platform-default",
      file: expect.stringContaining("policies/platform/default.yaml"),
    });
    expect(Object.keys(report.flowControl).sort()).toEqual([
      "disableOnLifecycleEvents",
      "isManual",
      "pauseBetweenPreviewAndUpdateOrDestroy",
      "previewBeforeUpdateOrDestroy",
      "skipRefresh",
    ]);
    expect(report.steps.map((s: { step: string }) => s.step)).toEqual([
      "await-start",
      "refresh",
      "plan",
      "await-approval",
      "apply",
    ]);
    expect(report.approvals.text).toMatch(/2 approvals from teams platform-team/);
    expect(report.gates[0]).toMatchObject({ name: "change-freeze", open: true });
  });

  it("text output names the policies, the steps, the approvals and the gates; --at changes the gate", async () => {
    const root = workspace(REPO);
    const t = io(root);
    expect(
      await runCli(["explain", "--stack", "billing-database", "--at", "2026-11-27T12:00:00Z"], t.cli),
    ).toBe(0);
    const text = t.out();
    expect(text).toMatch(
      /isManual\s+true\s+critical-database-extra-careful \(\.github\/flowgate\/policies\.yml:\d+\)/,
    );
    expect(text).toContain(
      "After a merge: Merge → Wait for /apply → Refresh → Plan → Wait for approval → Apply",
    );
    expect(text).toMatch(/change-freeze: closed/);
    expect(text).toContain("no --org given");
  });

  it("an unknown stack is an error listing the known ones; a missing --stack is a usage error", async () => {
    const root = workspace(REPO);
    const t = io(root);
    expect(await runCli(["explain", "--stack", "nope"], t.cli)).toBe(1);
    expect(t.err()).toContain("billing-database");
    const u = io(root);
    expect(await runCli(["explain"], u.cli)).toBe(2);
    expect(u.err()).toContain("--stack is required");
  });

  it("--plan evaluates conditions that read the plan", async () => {
    const root = workspace({
      ...REPO,
      ".github/flowgate/policies.yml": `apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: prod }
spec:
  selector: { kind: environment, id: production }
  flowControl:
    pauseBetweenPreviewAndUpdateOrDestroy: true
    conditions: [ { if: "plan.destroy == 0", then: { pauseBetweenPreviewAndUpdateOrDestroy: false } } ]
`,
      "result.json": JSON.stringify({
        version: 1,
        jobId: "j",
        stack: "billing-database",
        operation: "plan",
        sha: "a".repeat(40),
        outcome: "success",
        summary: { add: 0, change: 1, destroy: 0, replace: 0 },
        resources: [
          {
            address: "aws_db_instance.main",
            type: "aws_db_instance",
            action: "update",
            changedAttributes: ["instance_class"],
          },
        ],
        text: "~ update",
      }),
    });
    const t = io(root);
    expect(
      await runCli(["explain", "--stack", "billing-database", "--plan", "result.json", "--json"], t.cli),
    ).toBe(0);
    const report = JSON.parse(t.out());
    expect(report.flowControl.pauseBetweenPreviewAndUpdateOrDestroy).toMatchObject({
      value: false,
      via: "condition",
    });
  });
});
