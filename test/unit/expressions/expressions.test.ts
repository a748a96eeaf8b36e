import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CompiledExpression,
  compileExpression,
  EXPRESSION_VARIABLES,
  type ExprVars,
  evaluateBool,
  PLAN_VARIABLES,
  type PlanResourceVar,
  type PlanVar,
  riskOf,
} from "../../../src/lang/expressions.js";

function compile(source: string): CompiledExpression {
  const c = compileExpression(source);
  if (!c.ok) throw new Error(c.error);
  return c.value;
}

function compileError(source: string): string {
  const c = compileExpression(source);
  if (c.ok) throw new Error(`expected ${JSON.stringify(source)} not to compile`);
  return c.error;
}

function run(source: string, vars: ExprVars, opts?: { maxCost?: number }) {
  return evaluateBool(compile(source), vars, opts);
}

function resource(i: number, action = "update", changedAttributes = ["tags"]): PlanResourceVar {
  return { address: `aws_instance.web[${i}]`, type: "aws_instance", action, changedAttributes };
}

function plan(resources: PlanResourceVar[], counts: Partial<PlanVar> = {}): PlanVar {
  return { add: 0, change: resources.length, destroy: 0, replace: 0, resources, ...counts };
}

const everything: ExprVars = {
  plan: plan([resource(0), resource(1, "create", [])], { add: 1, change: 1 }),
  estimatedCost: 12.5,
  risk: "medium",
  stack: { name: "billing-database", kind: "aws_rds" },
  environment: "production",
  files: ["infra/prod/billing-db/main.tf", "README.md"],
  triggeredBy: { login: "alice", type: "user" },
  pr: { author: "alice", labels: ["infra", "urgent"], baseRef: "main" },
};

describe("compileExpression", () => {
  it("accepts the SPEC's examples and every variable", () => {
    for (const source of [
      "plan.destroy == 0 && plan.resources.all(r, r.action == 'update')",
      "estimatedCost < 100",
      "plan.destroy == 0",
      "risk == 'high' || plan.replace > 0",
      "stack.name == 'billing-database' && stack.kind.startsWith('aws_')",
      "environment == 'production'",
      "files.exists(f, f.startsWith('infra/'))",
      "triggeredBy.type == 'bot' && triggeredBy.login != 'dependabot[bot]'",
      "pr.author == 'alice' && 'urgent' in pr.labels && pr.baseRef == 'main'",
      "plan.resources.exists(r, r.changedAttributes.exists(a, a == 'instance_class'))",
      "size(plan.resources) < 10 && has(plan.add)",
    ]) {
      expect(compileExpression(source).ok, source).toBe(true);
    }
  });

  it("lists the variables read and whether the plan is among them", () => {
    expect(compile("plan.destroy == 0 && pr.author == 'x'")).toEqual({
      source: "plan.destroy == 0 && pr.author == 'x'",
      readsPlan: true,
      variables: ["plan", "pr"],
    });
    expect(compile("estimatedCost < 100").readsPlan).toBe(true);
    expect(compile("risk == 'low'").readsPlan).toBe(true);
    expect(compile("'urgent' in pr.labels").readsPlan).toBe(false);
  });

  it("does not count the word plan in a string, or a macro variable named plan, as reading the plan", () => {
    expect(compile("environment == 'plan'")).toMatchObject({ readsPlan: false, variables: ["environment"] });
    expect(compile('"estimatedCost risk plan" == pr.author').readsPlan).toBe(false);
    expect(compile("files.exists(plan, plan == 'x')")).toMatchObject({
      readsPlan: false,
      variables: ["files"],
    });
    expect(compile("cel.bind(risk, 'x', risk == environment)")).toMatchObject({
      readsPlan: false,
      variables: ["environment"],
    });
  });

  it("names an unknown variable", () => {
    expect(compileError("plans.destroy == 0")).toMatch(/unknown variable "plans" at column 1/);
    expect(compileError("plans.destroy == 0")).toContain("plan, estimatedCost, risk");
  });

  it("names an unknown field", () => {
    expect(compileError("plan.destroyed == 0")).toMatch(/unknown field "destroyed" at column 6/);
    expect(compileError("plan.resources.exists(r, r.kind == 'x')")).toMatch(/unknown field "kind"/);
    expect(compileError("pr.title == 'x'")).toMatch(/unknown field "title"/);
  });

  it("rejects expressions that are not boolean", () => {
    expect(compileError("plan.add")).toMatch(/true or false.*int/);
    expect(compileError("'yes'")).toMatch(/string/);
    expect(compileError("dyn(true)")).toMatch(/dyn/);
  });

  it("rejects type errors, syntax errors and bad patterns", () => {
    expect(compileError("plan.add == 'x'")).toMatch(/overload/);
    expect(compileError("plan.destroy == 0 &&")).toMatch(/column 21/);
    expect(compileError("files.exists(f, f.matches('('))")).toMatch(/regular expression/);
    expect(compileError("")).toMatch(/empty/);
  });

  it("enforces structural limits", () => {
    expect(compileError(`environment == '${"x".repeat(4100)}'`)).toMatch(/limit is 4096/);
    // 1,199 nodes in 1,500 characters
    expect(compileError(Array.from({ length: 300 }, () => "1<2").join("||"))).toMatch(/too large/);
    expect(compileError(`${"(".repeat(40)}true${")".repeat(40)}`)).toMatch(/nested too deeply/);
  });

  it("never throws on any input", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[a-z.()&|=!<> '0-9]{0,40}$/)), (source) => {
        const c = compileExpression(source);
        if (c.ok) evaluateBool(c.value, everything);
      }),
      { numRuns: 300 },
    );
  });
});

describe("evaluateBool", () => {
  it("evaluates every variable", () => {
    expect(
      run("plan.add == 1 && plan.change == 1 && plan.destroy == 0 && plan.replace == 0", everything),
    ).toEqual({
      kind: "value",
      value: true,
    });
    expect(run("plan.resources.all(r, r.action == 'update')", everything)).toEqual({
      kind: "value",
      value: false,
    });
    expect(run("plan.resources.exists(r, 'tags' in r.changedAttributes)", everything).kind).toBe("value");
    expect(run("risk == 'medium'", everything)).toEqual({ kind: "value", value: true });
    expect(run("stack.kind == 'aws_rds' && environment == 'production'", everything)).toEqual({
      kind: "value",
      value: true,
    });
    expect(run("files.exists(f, f.endsWith('.tf'))", everything)).toEqual({ kind: "value", value: true });
    expect(run("'urgent' in pr.labels && pr.baseRef == 'main'", everything)).toEqual({
      kind: "value",
      value: true,
    });
  });

  it("compares estimatedCost (a double) with whole numbers", () => {
    const cheap = compile("estimatedCost < 100");
    expect(evaluateBool(cheap, { estimatedCost: 12.5 })).toEqual({ kind: "value", value: true });
    expect(evaluateBool(cheap, { estimatedCost: 100 })).toEqual({ kind: "value", value: false });
    expect(evaluateBool(cheap, { estimatedCost: 150 })).toEqual({ kind: "value", value: false });
    expect(evaluateBool(compile("estimatedCost >= 99.5"), { estimatedCost: 99.5 })).toEqual({
      kind: "value",
      value: true,
    });
  });

  it("compares plan counts exactly", () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(1000), (destroy, add) => {
        const p = plan([], { destroy, add });
        expect(run("plan.destroy == 0", { plan: p })).toEqual({ kind: "value", value: destroy === 0 });
        expect(run("plan.add > plan.destroy", { plan: p })).toEqual({ kind: "value", value: add > destroy });
      }),
    );
  });

  it("maps triggeredBy.type", () => {
    const bot = compile("triggeredBy.type == 'bot'");
    expect(evaluateBool(bot, { triggeredBy: { login: "renovate[bot]", type: "bot" } })).toEqual({
      kind: "value",
      value: true,
    });
    expect(evaluateBool(bot, { triggeredBy: { login: "alice", type: "user" } })).toEqual({
      kind: "value",
      value: false,
    });
    const githubSpelling = { login: "renovate[bot]", type: "Bot" } as unknown as ExprVars["triggeredBy"];
    expect(evaluateBool(bot, { triggeredBy: githubSpelling })).toEqual({ kind: "value", value: true });
  });

  it("reports a variable without a value as missing", () => {
    expect(run("plan.destroy == 0", {})).toEqual({ kind: "missing", variable: "plan" });
    expect(run("estimatedCost < 100", { plan: plan([]) })).toEqual({
      kind: "missing",
      variable: "estimatedCost",
    });
    expect(run("risk == 'low'", { environment: "x" })).toEqual({ kind: "missing", variable: "risk" });
    expect(run("'x' in pr.labels", {})).toEqual({ kind: "missing", variable: "pr" });
  });

  it("follows CEL's rule that && and || absorb an error when the other side decides", () => {
    expect(run("pr.author == 'alice' || plan.destroy == 0", { pr: everything.pr })).toEqual({
      kind: "value",
      value: true,
    });
    expect(run("pr.author == 'bob' && plan.destroy == 0", { pr: everything.pr })).toEqual({
      kind: "value",
      value: false,
    });
    expect(run("pr.author == 'alice' && plan.destroy == 0", { pr: everything.pr })).toEqual({
      kind: "missing",
      variable: "plan",
    });
  });

  it("returns run-time failures and bad inputs as errors", () => {
    expect(run("plan.add / plan.destroy == 1", { plan: plan([], { add: 1 }) })).toMatchObject({
      kind: "error",
      message: expect.stringContaining("division by zero"),
    });
    expect(run("plan.add == 1", { plan: plan([], { add: 1.5 }) })).toMatchObject({
      kind: "error",
      message: expect.stringContaining("plan.add"),
    });
    expect(run("estimatedCost < 1.0", { estimatedCost: Number.NaN })).toMatchObject({ kind: "error" });
    expect(evaluateBool({ source: "nope(", readsPlan: false, variables: [] }, {})).toMatchObject({
      kind: "error",
    });
    const malformed = { plan: { add: 0, change: 0, destroy: 0, replace: 0 } } as unknown as ExprVars;
    expect(run("plan.resources.size() == 0", malformed)).toMatchObject({ kind: "error" });
  });

  describe("cost bound", () => {
    const big = plan(Array.from({ length: 10_000 }, (_, i) => resource(i, i % 2 ? "update" : "create")));

    it("evaluates an expression over a 10,000-resource plan in reasonable time", () => {
      const expr = compile(
        "plan.resources.all(r, r.action == 'update' || r.changedAttributes.exists(a, a == 'tags'))",
      );
      const started = performance.now();
      expect(evaluateBool(expr, { plan: big })).toEqual({ kind: "value", value: true });
      expect(
        evaluateBool(compile("plan.resources.filter(r, r.action == 'create').size() == 5000"), { plan: big }),
      ).toEqual({ kind: "value", value: true });
      expect(performance.now() - started).toBeLessThan(10_000);
    });

    it("refuses a triply nested comprehension over it without running it", () => {
      const expr = compile(
        "plan.resources.all(r, plan.resources.all(s, plan.resources.exists(t, t.address == r.address)))",
      );
      const started = performance.now();
      const outcome = evaluateBool(expr, { plan: big });
      expect(outcome).toMatchObject({
        kind: "error",
        message: expect.stringContaining("exceeds the cost limit"),
      });
      // running it would be 5000³ steps: minutes, not this
      expect(performance.now() - started).toBeLessThan(10_000);
    });

    it("lets the same nesting run over small lists", () => {
      const small = plan([resource(0), resource(1), resource(2)]);
      const expr = compile(
        "plan.resources.all(r, plan.resources.all(s, plan.resources.exists(t, t.address == r.address)))",
      );
      expect(evaluateBool(expr, { plan: small })).toEqual({ kind: "value", value: true });
    });

    it("scales with the real sizes of the lists", () => {
      const expr = compile("files.exists(f, pr.labels.exists(l, f.contains(l)))");
      const few = { files: ["a", "b"], pr: { author: "x", labels: ["c"], baseRef: "main" } };
      const many = {
        files: Array.from({ length: 200 }, (_, i) => `f${i}`),
        pr: { author: "x", labels: Array.from({ length: 50 }, (_, i) => `l${i}`), baseRef: "main" },
      };
      expect(evaluateBool(expr, few, { maxCost: 1000 })).toEqual({ kind: "value", value: false });
      expect(evaluateBool(expr, many, { maxCost: 1000 })).toMatchObject({ kind: "error" });
      expect(evaluateBool(expr, many)).toEqual({ kind: "value", value: false });
    });

    it("bounds lists made inside the expression by the lists they come from", () => {
      const expr = compile(
        "plan.resources.map(r, r.address).all(a, plan.resources.exists(r, r.address == a))",
      );
      expect(evaluateBool(expr, { plan: big })).toMatchObject({ kind: "error" });
      const concat = compile("(files + files + files).all(f, files.exists(g, g == f))");
      const files = Array.from({ length: 400 }, (_, i) => `f${i}`);
      // 3 × 400 × 400 elements: over the default limit, although each list alone is small.
      expect(evaluateBool(concat, { files })).toMatchObject({ kind: "error" });
      expect(evaluateBool(concat, { files: files.slice(0, 50) })).toEqual({ kind: "value", value: true });
    });

    it("costs nothing for variables the expression does not read", () => {
      expect(
        evaluateBool(compile("environment == 'prod'"), { plan: big, environment: "prod" }, { maxCost: 10 }),
      ).toEqual({ kind: "value", value: true });
    });
  });
});

describe("riskOf", () => {
  it.each([
    [{ add: 0, change: 0, destroy: 0, replace: 0 }, "low"],
    [{ add: 1, change: 0, destroy: 0, replace: 0 }, "medium"],
    [{ add: 0, change: 3, destroy: 0, replace: 0 }, "medium"],
    [{ add: 0, change: 0, destroy: 1, replace: 0 }, "high"],
    [{ add: 5, change: 5, destroy: 0, replace: 1 }, "high"],
  ] as const)("%j is %s", (counts, risk) => {
    expect(riskOf(counts)).toBe(risk);
  });
});

describe("variables", () => {
  it("declares the plan variables among all variables", () => {
    expect(PLAN_VARIABLES).toEqual(["plan", "estimatedCost", "risk"]);
    for (const v of PLAN_VARIABLES) expect(EXPRESSION_VARIABLES).toContain(v);
    expect([...EXPRESSION_VARIABLES].sort()).toEqual(
      ["environment", "estimatedCost", "files", "plan", "pr", "risk", "stack", "triggeredBy"].sort(),
    );
  });
});

describe("matches() runs with RE2 semantics in linear time", () => {
  // Patterns that backtrack exponentially in JavaScript's RegExp, each with the text that triggers it.
  const PATHOLOGICAL: [string, string][] = [
    ["^(\\\\w|\\\\d)+$", `${"1".repeat(40)}!`],
    ["^(a+)+$", `${"a".repeat(40)}!`],
    ["^(a|aa)+$", `${"a".repeat(60)}!`],
    ["^(a|a?)+$", `${"a".repeat(40)}!`],
    ["^(\\\\w+\\\\s?)*$", `${"word ".repeat(12)}!`],
    ["^(.*a){20}$", "a".repeat(40)],
  ];
  for (const [pattern, text] of PATHOLOGICAL) {
    it(`${pattern} on ${JSON.stringify(text.slice(0, 12))}… answers at once instead of backtracking`, () => {
      const expr = compileExpression(`pr.labels.exists(l, l.matches("${pattern}"))`);
      if (!expr.ok) throw new Error(expr.error);
      const outcome = evaluateBool(expr.value, { pr: { author: "a", labels: [text], baseRef: "main" } });
      expect(outcome).toEqual({ kind: "value", value: pattern === "^(.*a){20}$" });
    });
  }

  it("matches like CEL: unanchored search, RE2 syntax", () => {
    const expr = compileExpression(`files.exists(f, f.matches("prod/.*\\\\.tf$"))`);
    if (!expr.ok) throw new Error(expr.error);
    expect(evaluateBool(expr.value, { files: ["infra/prod/web/main.tf"] })).toEqual({
      kind: "value",
      value: true,
    });
    expect(evaluateBool(expr.value, { files: ["infra/dev/web/main.tf"] })).toEqual({
      kind: "value",
      value: false,
    });
    const global = compileExpression(`matches(pr.author, "^bot-")`);
    if (!global.ok) throw new Error(global.error);
    expect(evaluateBool(global.value, { pr: { author: "bot-7", labels: [], baseRef: "main" } })).toEqual({
      kind: "value",
      value: true,
    });
  });

  it("refuses, at load, patterns RE2 cannot compile (backreferences, lookarounds) and dynamic patterns", () => {
    const refused = (expr: string) => {
      const compiled = compileExpression(expr);
      return compiled.ok ? "accepted" : compiled.error;
    };
    expect(refused(`files.exists(f, f.matches("(a)\\\\1"))`)).toMatch(
      /invalid regular expression.*RE2 syntax/,
    );
    expect(refused(`files.exists(f, f.matches("a(?=b)"))`)).toMatch(/invalid regular expression.*RE2 syntax/);
    expect(refused(`files.exists(f, f.matches(pr.author))`)).toMatch(/takes only a literal pattern/);
  });
});

describe("risk follows from the plan", () => {
  it("is derived when a plan is present and risk is not given", () => {
    const expr = compileExpression("risk == 'high'");
    if (!expr.ok) throw new Error(expr.error);
    const plan = (destroy: number) => ({ add: 0, change: 1, destroy, replace: 0, resources: [] });
    expect(evaluateBool(expr.value, { plan: plan(1) })).toEqual({ kind: "value", value: true });
    expect(evaluateBool(expr.value, { plan: plan(0) })).toEqual({ kind: "value", value: false });
    expect(evaluateBool(expr.value, {}).kind).toBe("missing");
  });
});
