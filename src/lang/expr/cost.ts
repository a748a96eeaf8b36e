/**
 * Run-time cost bound: before evaluating, estimate from the expression's tree and the real sizes of the lists it
 * will see how much work it can do, so a nested comprehension over a 10,000-resource plan is refused instead of
 * occupying a worker.
 *
 * A unit is roughly one node evaluated or one list element touched. A comprehension (all, exists, exists_one, map,
 * filter) costs its range plus, per element of the range, its body; nested comprehensions multiply. Lists made
 * inside the expression carry a size bound (map/filter keep their range's size, `+` adds, split is bounded by the
 * text's length); a list whose size cannot be known is taken as large as the largest list or text in the input.
 */
import type { ASTNode } from "@marcbachmann/cel-js";
import { bindingOf, childrenOf, comprehensionOf } from "./ast.js";
import type { ExprVars } from "./types.js";

export const DEFAULT_MAX_COST = 1_000_000;

/** What the cost estimate knows of a value: list sizes, text lengths, object fields. */
export type Shape =
  | { kind: "list"; size: number; elem: Shape }
  | { kind: "object"; fields: ReadonlyMap<string, Shape> }
  | { kind: "text"; length: number }
  | { kind: "scalar" }
  | { kind: "absent" }
  | { kind: "unknown" };

const SCALAR: Shape = { kind: "scalar" };
const ABSENT: Shape = { kind: "absent" };
const UNKNOWN: Shape = { kind: "unknown" };

/** Functions whose work grows with the length of the text they scan. */
const TEXT_SCANNING: ReadonlySet<string> = new Set([
  "matches",
  "re2Matches",
  "contains",
  "startsWith",
  "endsWith",
  "indexOf",
  "lastIndexOf",
  "split",
  "replace",
  "substring",
  "lowerAscii",
  "upperAscii",
  "trim",
  "join",
]);

/** Estimated cost of evaluating `root` against `vars`. */
export function estimateCost(root: ASTNode, vars: ExprVars): number {
  return estimateCostOfShapes(root, shapesOf(vars));
}

/** Estimated cost of evaluating `root` when its variables have these shapes (absent ones: `{ kind: "absent" }`). */
export function estimateCostOfShapes(root: ASTNode, globals: ReadonlyMap<string, Shape>): number {
  let fallback = 1;
  for (const shape of globals.values()) fallback = Math.max(fallback, largest(shape));
  return new Estimator(globals, fallback).estimate(root, new Map()).cost;
}

class Estimator {
  constructor(
    private readonly globals: ReadonlyMap<string, Shape>,
    /** size assumed for a list or text whose size is unknown */
    private readonly fallback: number,
  ) {}

  estimate(node: ASTNode, scope: ReadonlyMap<string, Shape>): { cost: number; shape: Shape } {
    const loop = comprehensionOf(node);
    if (loop) {
      const range = this.estimate(loop.range, scope);
      const n = this.sizeOf(range.shape);
      const inner = new Map(scope).set(loop.variable, elemOf(range.shape));
      let bodyCost = 0;
      let last: Shape = SCALAR;
      for (const part of loop.body) {
        const e = this.estimate(part, inner);
        bodyCost += e.cost;
        last = e.shape;
      }
      const cost = range.cost + n * (bodyCost + 1) + 1;
      if (loop.kind === "map") return { cost, shape: { kind: "list", size: n, elem: last } };
      if (loop.kind === "filter")
        return { cost, shape: { kind: "list", size: n, elem: elemOf(range.shape) } };
      return { cost, shape: SCALAR };
    }
    const binding = bindingOf(node);
    if (binding) {
      const value = this.estimate(binding.value, scope);
      const body = this.estimate(binding.body, new Map(scope).set(binding.variable, value.shape));
      return { cost: value.cost + body.cost + 1, shape: body.shape };
    }

    switch (node.op) {
      case "value":
        return {
          cost: 1,
          shape: typeof node.args === "string" ? { kind: "text", length: node.args.length } : SCALAR,
        };
      case "id":
        return { cost: 1, shape: scope.get(node.args) ?? this.globals.get(node.args) ?? UNKNOWN };
      case ".":
      case ".?": {
        const base = this.estimate(node.args[0], scope);
        return { cost: base.cost + 1, shape: fieldOf(base.shape, node.args[1]) };
      }
      case "?:": {
        const [cond, yes, no] = node.args.map((n) => this.estimate(n, scope)) as [Est, Est, Est];
        return { cost: cond.cost + Math.max(yes.cost, no.cost) + 1, shape: join(yes.shape, no.shape) };
      }
      case "list": {
        const items = node.args.map((n) => this.estimate(n, scope));
        const elem = items.reduce<Shape>((acc, e) => join(acc, e.shape), ABSENT);
        return { cost: sumCost(items) + 1, shape: { kind: "list", size: items.length, elem } };
      }
      case "call":
      case "rcall":
        return this.call(node, scope);
    }

    const parts = childrenOf(node).map((n) => this.estimate(n, scope));
    // Comparing, concatenating or searching lists touches their elements.
    const touched = parts.reduce((acc, e) => acc + (e.shape.kind === "list" ? e.shape.size : 0), 0);
    const cost = sumCost(parts) + touched + 1;
    if (node.op === "[]" || node.op === "[?]") return { cost, shape: elemOf(parts[0]?.shape ?? UNKNOWN) };
    if (node.op === "+" && parts.length === 2)
      return { cost, shape: concat(parts[0]!.shape, parts[1]!.shape) };
    return { cost, shape: SCALAR };
  }

  private call(node: Extract<ASTNode, { op: "call" | "rcall" }>, scope: ReadonlyMap<string, Shape>): Est {
    const name = node.args[0];
    const operands = childrenOf(node).map((n) => this.estimate(n, scope));
    let cost = sumCost(operands) + 1;
    for (const e of operands) {
      if (e.shape.kind === "list") cost += e.shape.size;
      else if (TEXT_SCANNING.has(name)) cost += this.lengthOf(e.shape);
    }
    const first = operands[0]?.shape ?? UNKNOWN;
    if (name === "dyn" && node.op === "call") return { cost, shape: first };
    if (name === "split" && node.op === "rcall") {
      const length = this.lengthOf(first);
      return { cost, shape: { kind: "list", size: length + 1, elem: { kind: "text", length } } };
    }
    return { cost, shape: UNKNOWN };
  }

  private sizeOf(shape: Shape): number {
    if (shape.kind === "list") return shape.size;
    if (shape.kind === "absent") return 0;
    return this.fallback;
  }

  private lengthOf(shape: Shape): number {
    if (shape.kind === "text") return shape.length;
    if (shape.kind === "absent") return 0;
    if (shape.kind === "scalar") return 1;
    return this.fallback;
  }
}

type Est = { cost: number; shape: Shape };

function sumCost(parts: readonly Est[]): number {
  return parts.reduce((acc, e) => acc + e.cost, 0);
}

function fieldOf(shape: Shape, name: string): Shape {
  if (shape.kind === "object") return shape.fields.get(name) ?? UNKNOWN;
  return shape.kind === "absent" ? ABSENT : UNKNOWN;
}

function elemOf(shape: Shape): Shape {
  if (shape.kind === "list") return shape.elem;
  return shape.kind === "absent" ? ABSENT : UNKNOWN;
}

function concat(a: Shape, b: Shape): Shape {
  if (a.kind === "list" && b.kind === "list")
    return { kind: "list", size: a.size + b.size, elem: join(a.elem, b.elem) };
  if (a.kind === "text" && b.kind === "text") return { kind: "text", length: a.length + b.length };
  return SCALAR;
}

/** A shape that bounds both (a value that is one or the other). */
export function join(a: Shape, b: Shape): Shape {
  if (a.kind === "absent") return b;
  if (b.kind === "absent") return a;
  if (a.kind === "list" && b.kind === "list") {
    return { kind: "list", size: Math.max(a.size, b.size), elem: join(a.elem, b.elem) };
  }
  if (a.kind === "text" && b.kind === "text") return { kind: "text", length: Math.max(a.length, b.length) };
  if (a.kind === "scalar" && b.kind === "scalar") return SCALAR;
  if (a.kind === "object" && b.kind === "object") {
    const fields = new Map(a.fields);
    for (const [k, v] of b.fields) fields.set(k, join(fields.get(k) ?? ABSENT, v));
    return { kind: "object", fields };
  }
  return UNKNOWN;
}

/** The largest list size or text length anywhere in a shape. */
function largest(shape: Shape): number {
  switch (shape.kind) {
    case "list":
      return Math.max(shape.size, largest(shape.elem));
    case "text":
      return shape.length;
    case "object":
      return Math.max(0, ...[...shape.fields.values()].map(largest));
    default:
      return 0;
  }
}

function text(values: readonly string[]): Shape {
  let length = 0;
  for (const v of values) length = Math.max(length, v.length);
  return { kind: "text", length };
}

function list(values: readonly string[]): Shape {
  return { kind: "list", size: values.length, elem: text(values) };
}

function object(fields: Record<string, Shape>): Shape {
  return { kind: "object", fields: new Map(Object.entries(fields)) };
}

/** The shape of each declared variable for these inputs; absent variables are absent (reading one fails first). */
function shapesOf(vars: ExprVars): Map<string, Shape> {
  const shapes = new Map<string, Shape>();
  const set = (name: string, present: boolean, make: () => Shape) =>
    shapes.set(name, present ? make() : ABSENT);
  set("plan", vars.plan !== undefined, () => {
    const resources = vars.plan?.resources ?? [];
    let textLength = 0;
    let attrCount = 0;
    let attrLength = 0;
    for (const r of resources) {
      textLength = Math.max(textLength, r.address.length, r.type.length, r.action.length);
      attrCount = Math.max(attrCount, r.changedAttributes.length);
      for (const a of r.changedAttributes) attrLength = Math.max(attrLength, a.length);
    }
    const field: Shape = { kind: "text", length: textLength };
    const resource = object({
      address: field,
      type: field,
      action: field,
      changedAttributes: { kind: "list", size: attrCount, elem: { kind: "text", length: attrLength } },
    });
    return object({
      add: SCALAR,
      change: SCALAR,
      destroy: SCALAR,
      replace: SCALAR,
      resources: { kind: "list", size: resources.length, elem: resource },
    });
  });
  set("estimatedCost", vars.estimatedCost !== undefined, () => SCALAR);
  set("risk", vars.risk !== undefined, () => text([vars.risk ?? ""]));
  set("stack", vars.stack !== undefined, () =>
    object({ name: text([vars.stack?.name ?? ""]), kind: text([vars.stack?.kind ?? ""]) }),
  );
  set("environment", vars.environment !== undefined, () => text([vars.environment ?? ""]));
  set("files", vars.files !== undefined, () => list(vars.files ?? []));
  set("triggeredBy", vars.triggeredBy !== undefined, () =>
    object({ login: text([vars.triggeredBy?.login ?? ""]), type: text([vars.triggeredBy?.type ?? ""]) }),
  );
  set("pr", vars.pr !== undefined, () =>
    object({
      author: text([vars.pr?.author ?? ""]),
      labels: list(vars.pr?.labels ?? []),
      baseRef: text([vars.pr?.baseRef ?? ""]),
    }),
  );
  return shapes;
}
