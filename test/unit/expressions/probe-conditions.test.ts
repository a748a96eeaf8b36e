import { describe, expect, it } from "vitest";
import {
  type CompiledProbeCondition,
  compileProbeCondition,
  evaluateProbeCondition,
  type ProbeConditionKind,
  type ProbeVars,
} from "../../../src/engine/probe-conditions.js";

function compiled(kind: ProbeConditionKind, source: string): CompiledProbeCondition {
  const c = compileProbeCondition(kind, source);
  if (!c.ok) throw new Error(c.error);
  return c.value;
}

function run(kind: ProbeConditionKind, source: string, vars: ProbeVars) {
  return evaluateProbeCondition(compiled(kind, source), vars);
}

describe("verification conditions", () => {
  it("http: status and the JSON body; JSON numbers compare with int literals", () => {
    const vars = { status: 200, body: { status: "ok", replicas: 3, checks: [{ ok: true }, { ok: true }] } };
    expect(run("http", "status == 200 && body.status == 'ok'", vars)).toEqual({ ok: true, holds: true });
    expect(run("http", "body.replicas >= 3 && body.checks.all(c, c.ok)", vars)).toEqual({
      ok: true,
      holds: true,
    });
    expect(run("http", "body.status == 'degraded'", vars)).toEqual({ ok: true, holds: false });
    expect(run("http", "body.checks[0].ok", vars)).toEqual({ ok: true, holds: true });
    expect(run("http", "body.status.matches('^o')", vars)).toEqual({ ok: true, holds: true });
  });

  it("prometheus: result as a list of samples or a number", () => {
    const vector = [{ metric: { job: "api" }, value: 0.002 }];
    expect(run("prometheus", "result.all(s, s.value < 0.01)", { result: vector })).toEqual({
      ok: true,
      holds: true,
    });
    expect(run("prometheus", "result < 0.01", { result: 0.5 })).toEqual({ ok: true, holds: false });
    expect(run("prometheus", "size(result) == 0", { result: [] })).toEqual({ ok: true, holds: true });
  });

  it("type-checks at load: unknown variables name the ones there are; non-bool results are refused", () => {
    const wrongVar = compileProbeCondition("http", "result > 1");
    expect(wrongVar.ok).toBe(false);
    expect(!wrongVar.ok && wrongVar.error).toMatch(/unknown variable "result".*may read status, body/);
    const notBool = compileProbeCondition("http", "status + 1");
    expect(!notBool.ok && notBool.error).toMatch(/must give true or false.*int/);
    const syntax = compileProbeCondition("prometheus", "result.all(s, ");
    expect(syntax.ok).toBe(false);
    const badRegex = compileProbeCondition("http", "body.x.matches('(')");
    expect(!badRegex.ok && badRegex.error).toMatch(/invalid regular expression/);
  });

  it("fails closed: a body that is not JSON, a non-boolean value, a missing field", () => {
    expect(run("http", "body.ok", { status: 200 })).toEqual({
      ok: false,
      error: "the condition reads body, but the response is not JSON",
    });
    expect(run("http", "body.ok", { status: 200, body: { ok: "yes" } })).toEqual({
      ok: false,
      error: "the condition gave a string, not true or false",
    });
    const missing = run("http", "body.version == '2'", { status: 200, body: {} });
    expect(missing.ok).toBe(false);
    expect(!missing.ok && missing.error).toMatch(/could not be evaluated: No such key: version/);
    // A condition that reads only the status needs no body.
    expect(run("http", "status < 500", { status: 204 })).toEqual({ ok: true, holds: true });
  });

  it("cost-bounded: nested loops over a large body are refused unrun; deep nesting is refused", () => {
    const items = Array.from({ length: 5000 }, (_, i) => i);
    const result = run("http", "body.items.all(a, body.items.all(b, a != b || a == b))", {
      status: 200,
      body: { items },
    });
    expect(!result.ok && result.error).toMatch(/estimated cost .* exceeds the limit/);
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    const nested = run("http", "size(body) == 1", { status: 200, body: deep });
    expect(!nested.ok && nested.error).toMatch(/nested more than 64 levels/);
  });
});
