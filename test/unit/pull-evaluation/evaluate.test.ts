import { describe, expect, it } from "vitest";
import { decidePullEvaluation, type PullWrite } from "../../../src/engine/pull/evaluate.js";
import { approval, HEAD, request, snapshot, stackFacts, succeededPlan } from "./builders.js";

const kinds = (writes: PullWrite[]) => writes.map((w) => w.kind);

describe("the PR evaluation, decided from a snapshot (no Redis, no HTTP)", () => {
  it("starts the plan of a stack that has none and shows it running, before any check is written", () => {
    const e = decidePullEvaluation(snapshot());
    expect(kinds(e.writes).slice(0, 2)).toEqual(["start-plan", "watch-gate"]);
    expect(e.stackViews[0]!.plan).toEqual({ state: "running", jobId: "7-p12-billing-db-aaaaaaaaaaaa-1" });
    expect(e.decision.conclusion).toBe("pending");
    const order = kinds(e.writes);
    expect(order.indexOf("store-verdict")).toBeLessThan(order.indexOf("plan-check"));
    expect(order.indexOf("plan-check")).toBeLessThan(order.indexOf("aggregate-check"));
  });

  it("waits for /plan on a draft and starts nothing", () => {
    const s = snapshot();
    const e = decidePullEvaluation({ ...s, pull: { ...s.pull, facts: { ...s.pull.facts, draft: true } } });
    expect(kinds(e.writes)).not.toContain("start-plan");
    expect(e.stackViews[0]!.plan).toMatchObject({ state: "waiting-command" });
  });

  it("a gate that is not defined counts as closed and is not watched", () => {
    const s = snapshot();
    const e = decidePullEvaluation({ ...s, config: { ...s.config, gates: new Map() } });
    expect(e.stackViews[0]!.gates).toEqual([
      expect.objectContaining({ name: "freeze", open: false, source: "default" }),
    ]);
    expect(kinds(e.writes)).not.toContain("watch-gate");
  });

  it("counts an approval after the plan, remembers it with the plan's fingerprint and observes the wait", () => {
    const e = decidePullEvaluation(
      snapshot({
        stacks: [stackFacts({ planJob: succeededPlan("2026-12-01T11:30:00Z"), planText: "+ resource" })],
        events: [approval("bob", "2026-12-01T11:40:00Z")],
        people: { permissions: { bob: "write" }, teamMembers: {} },
      }),
    );
    expect(e.stackViews[0]!.approval.counted.map((c) => c.login)).toEqual(["bob"]);
    expect(e.writes).toContainEqual({
      kind: "remember-approval",
      stack: "billing-db",
      approved: { headSha: HEAD, fingerprint: "fp-1", approvers: ["bob"] },
    });
    expect(e.writes).toContainEqual({ kind: "observe-approval-wait", policy: "prod-careful", seconds: 600 });
    expect(e.writes).toContainEqual(expect.objectContaining({ kind: "plan-check", text: "+ resource" }));
  });

  it("does not observe the wait again once the approval was remembered for this head", () => {
    const e = decidePullEvaluation(
      snapshot({
        stacks: [stackFacts({ planJob: succeededPlan(), approvedHead: HEAD })],
        events: [approval("bob", "2026-12-01T11:40:00Z")],
        people: { permissions: { bob: "write" }, teamMembers: {} },
      }),
    );
    expect(kinds(e.writes)).not.toContain("observe-approval-wait");
  });

  it("refuses the author's own approval and says so to their /approve", () => {
    const e = decidePullEvaluation(
      snapshot({
        stacks: [stackFacts({ planJob: succeededPlan() })],
        events: [approval("alice", "2026-12-01T11:45:00Z", { id: "comment-100-1", source: "comment" })],
        people: { permissions: { alice: "admin" }, teamMembers: {} },
        approvalRequests: [request({ name: "approve", args: [] }, "alice")],
      }),
    );
    const answer = e.writes.find((w) => w.kind === "answer-command");
    expect(answer).toMatchObject({ kind: "answer-command", requestId: "100-1", ok: false });
    expect(answer && "lines" in answer ? answer.lines.join("\n") : "").toMatch(
      /`billing-db`: not counted: .*author/,
    );
    expect(e.decision.conclusion).toBe("pending");
  });

  it("counts a standing rejection once per stack under its policy", () => {
    const e = decidePullEvaluation(
      snapshot({
        stacks: [stackFacts({ planJob: succeededPlan() })],
        events: [approval("carol", "2026-12-01T11:50:00Z", { id: "review-9", kind: "reject" })],
        people: { permissions: { carol: "write" }, teamMembers: {} },
      }),
    );
    expect(e.writes).toContainEqual({
      kind: "count-rejection",
      stack: "billing-db",
      eventId: "review-9",
      policy: "prod-careful",
    });
  });

  it("fails on unusable configuration, audits it, and sets no timer", () => {
    const s = snapshot();
    const e = decidePullEvaluation({
      ...s,
      stacks: [],
      config: { ...s.config, errors: [".github/flowgate/policy.yml:3:1 bad"] },
    });
    expect(e.decision.conclusion).toBe("failure");
    expect(e.writes).toContainEqual({
      kind: "audit-config-invalid",
      reason: ".github/flowgate/policy.yml:3:1 bad",
    });
    expect(kinds(e.writes)).not.toContain("evaluate-at");
  });
});
