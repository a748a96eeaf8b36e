/** Shapes (for the cost estimate) and nesting depth of values parsed from JSON: a probe's response body or result. */
import { join, type Shape } from "./cost.js";

/** Deeper JSON is refused before anything reads it: recursion over it could exhaust the stack. */
export const MAX_JSON_DEPTH = 64;

/** How deeply `value` nests (a scalar is 0, `[1]` is 1), counted without recursion; stops above `limit`. */
export function jsonDepth(value: unknown, limit = MAX_JSON_DEPTH): number {
  let deepest = 0;
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: v, depth } = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    const inner = depth + 1;
    deepest = Math.max(deepest, inner);
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push({ value: child, depth: inner });
  }
  return deepest;
}

/** The shape of a JSON value no deeper than `MAX_JSON_DEPTH`. */
export function shapeOfJson(value: unknown): Shape {
  if (typeof value === "string") return { kind: "text", length: value.length };
  if (typeof value !== "object" || value === null) return { kind: "scalar" };
  if (Array.isArray(value)) {
    let elem: Shape = { kind: "absent" };
    for (const item of value) elem = join(elem, shapeOfJson(item));
    return { kind: "list", size: value.length, elem };
  }
  const fields = new Map<string, Shape>();
  for (const [key, field] of Object.entries(value)) fields.set(key, shapeOfJson(field));
  return { kind: "object", fields };
}
