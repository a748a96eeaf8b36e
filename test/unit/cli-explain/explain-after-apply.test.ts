import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CliIO } from "../../../src/cli/io.js";
import { runCli } from "../../../src/cli/main.js";

function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "flowgate-explain-after-"));
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
metadata: { name: prod-api }
spec: { kind: service, environment: production, dir: infra/prod/api }
---
apiVersion: flowgate/v1
kind: Stack
metadata: { name: stg-api }
spec: { kind: service, environment: staging, dir: infra/stg/api }
`,
  ".github/flowgate/policies.yml": `apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: production-progressive }
spec:
  selector: { kind: environment, id: production }
  flowControl:
    progression: { after: [staging], soak: 30m }
    rollout: { waves: [1, 2] }
    onFailure: revert
    verify:
      - name: api health
        http:
          url: "https://api.example.com/healthz"
          condition: "body.status == 'ok'"
          interval: 30s
          for: 5m
      - prometheus:
          server: "https://prometheus.example.com"
          query: sum(rate(http_requests_total{code=~"5.."}[5m]))
          condition: "result.all(s, s.value < 0.01)"
`,
};

const ARGS = ["explain", "--stack", "prod-api", "--org", "acme", "--at", "2026-11-23T12:00:00Z"];

describe("flowgate explain: after the apply", () => {
  it("text: verification checks with defaults, onFailure, progression and rollout, each with its policy and file", async () => {
    const t = io(workspace(REPO));
    expect(await runCli(ARGS, t.cli)).toBe(0);
    const text = t.out();
    const by = "production-progressive (.github/flowgate/policies.yml:7)";
    expect(text).toContain(
      "After a merge: Merge → Wait for staging → Wait for earlier waves → Refresh → Plan → Wait for approval → Apply → Verify",
    );
    expect(text).toContain(`After the apply:
  verify       2 checks must hold after the apply  — ${by}
    1. api health: GET https://api.example.com/healthz expects status 200 and body.status == 'ok', every 30s for 5m (timeout 10s)
    2. prometheus 2: Prometheus https://prometheus.example.com query sum(rate(http_requests_total{code=~"5.."}[5m])) must satisfy result.all(s, s.value < 0.01), once (timeout 10s)
  onFailure    revert: open a pull request that reverts the merge's changes to this stack's files  — ${by}
  progression  after staging applied and verified this commit, then a soak of 30m  — ${by}
  rollout      waves of 1, 2, the rest in the last wave; each verified before the next  — ${by}
`);
  });

  it("--json: the same, as data with provenance", async () => {
    const t = io(workspace(REPO));
    expect(await runCli([...ARGS, "--json"], t.cli)).toBe(0);
    const report = JSON.parse(t.out());
    expect(report.afterApply.progression).toMatchObject({
      after: ["staging"],
      soak: "30m",
      setBy: {
        policy: "production-progressive",
        file: ".github/flowgate/policies.yml",
        line: 7,
        via: "policy",
      },
    });
    expect(report.afterApply.rollout.waves).toEqual([1, 2]);
    expect(report.afterApply.onFailure.value).toBe("revert");
    expect(report.afterApply.verify.checks[0]).toEqual({
      kind: "http",
      name: "api health",
      url: "https://api.example.com/healthz",
      expectStatus: 200,
      condition: "body.status == 'ok'",
      headers: {},
      schedule: { intervalMs: 30_000, forMs: 300_000, timeoutMs: 10_000, failureLimit: 0 },
    });
    expect(report.fields.verify.policy).toBe("production-progressive");
    expect(report.steps.map((s: { step: string }) => s.step)).toContain("verify");
  });

  it("a stack no policy gives these fields shows the built-in defaults", async () => {
    const t = io(workspace(REPO));
    expect(await runCli(["explain", "--stack", "stg-api", "--at", "2026-11-23T12:00:00Z"], t.cli)).toBe(0);
    expect(t.out()).toContain(`After the apply:
  verify       none: the stack counts as applied when its apply succeeds  — flowgate built-in default
  onFailure    hold: stop and ask a person  — flowgate built-in default
  progression  none: waits for no other environment  — flowgate built-in default
  rollout      all at once with the other stacks of its environment  — flowgate built-in default
`);
  });
});
