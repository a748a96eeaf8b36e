/** The JSON error locator agrees with JSON.parse on what is valid, and points at the fault. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonErrorPosition, lineAndColumn } from "../../../src/plan/json-error.js";

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe("jsonErrorPosition", () => {
  it("accepts what JSON.parse accepts", () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => jsonErrorPosition(JSON.stringify(v, null, 1)) === -1));
  });

  it("refuses what JSON.parse refuses, after mangling valid JSON", () => {
    const mangled = fc
      .tuple(
        fc.jsonValue({ maxDepth: 3 }),
        fc.nat(),
        fc.constantFrom("", ",", "}", "]", '"', ":", "x", "\\", "\u0001", "01"),
      )
      .map(([v, at, insert]) => {
        const text = JSON.stringify(v);
        const i = at % (text.length + 1);
        return text.slice(0, i) + insert + text.slice(i + (insert === "" ? 1 : 0));
      });
    fc.assert(
      fc.property(mangled, (text) => (jsonErrorPosition(text) === -1) === parses(text)),
      { numRuns: 2000 },
    );
  });

  it("points at the first bad character", () => {
    expect(jsonErrorPosition('{"a": [,]}')).toBe(7);
    expect(jsonErrorPosition('{"a": tru}')).toBe(6);
    expect(jsonErrorPosition('{"a": 1')).toBe(7);
    expect(jsonErrorPosition('{"a": 1} x')).toBe(9);
    expect(jsonErrorPosition("")).toBe(0);
  });

  it("handles deep nesting without recursion", () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    expect(jsonErrorPosition(deep)).toBe(-1);
  });
});

describe("lineAndColumn", () => {
  it("counts from 1", () => {
    expect(lineAndColumn("ab\ncd\nef", 0)).toEqual({ line: 1, col: 1 });
    expect(lineAndColumn("ab\ncd\nef", 4)).toEqual({ line: 2, col: 2 });
    expect(lineAndColumn("ab\ncd\nef", 6)).toEqual({ line: 3, col: 1 });
  });
});
