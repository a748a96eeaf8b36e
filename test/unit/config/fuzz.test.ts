/**
 * Whatever a repository holds, loading it returns diagnostics and never throws or stalls (SPEC §7).
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { stringify } from "yaml";
import { expandGenerators } from "../../../src/config/generate.js";
import { loadConfigFiles } from "../../../src/config/load.js";
import type { ConfigSet } from "../../../src/config/types.js";
import { validateConfig } from "../../../src/validation/validate.js";
import { GATE, STACK } from "./helpers.js";

const VALID = `${STACK}---
apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: p, annotations: { expires: "2099-01-01" } }
spec:
  selector: { kind: environment, id: "prod*" }
  flowControl:
    gates: [change-freeze]
    conditions:
      - if: "plan.destroy == 0"
        then: { pauseBetweenPreviewAndUpdateOrDestroy: false }
    schedule:
      - { days: "mon-fri", hours: "9-17", timezone: "Europe/Berlin", policy: { isManual: true } }
---
${GATE}`;

/** Loads, expands and validates; every diagnostic must be well formed. */
function survive(content: string): ConfigSet {
  const set = loadConfigFiles([{ path: "fuzz.yml", content, level: "repository" }]);
  const generated = expandGenerators(set.generators, ["infra/a/b/main.tf"]);
  const semantic = validateConfig({
    repository: set,
    stacks: [...set.stacks, ...generated.stacks],
    now: new Date(0),
  });
  const lines = String(content ?? "").split(/\r\n|\r|\n/).length; // stringify(undefined) gives undefined
  for (const d of [...set.diagnostics, ...generated.diagnostics, ...semantic]) {
    expect(d.file).toBe("fuzz.yml");
    expect(d.line).toBeGreaterThanOrEqual(1);
    expect(d.line).toBeLessThanOrEqual(lines);
    expect(d.col).toBeGreaterThanOrEqual(1);
    expect(["error", "warning"]).toContain(d.severity);
    expect(d.message.length).toBeGreaterThan(0);
  }
  return set;
}

const settings = { numRuns: 300, interruptAfterTimeLimit: 20_000 };

describe("loading never throws", () => {
  test("random text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 400 }), (text) => {
        survive(text);
      }),
      settings,
    );
  });

  test("random text made of YAML punctuation", () => {
    const piece = fc.constantFrom(
      "[",
      "]",
      "{",
      "}",
      "- ",
      ": ",
      "&a ",
      "*a",
      "!!str ",
      "? ",
      "|",
      ">",
      "\n",
      "  ",
      "---\n",
      "#",
      '"',
      "'",
      ",",
      "a",
      "1",
      "<<",
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 200 }), (pieces) => {
        survive(pieces.join(""));
      }),
      settings,
    );
  });

  test("random nested structures serialised to YAML", () => {
    fc.assert(
      fc.property(
        fc.anything({ maxDepth: 6, withNullPrototype: true, withMap: true, withSet: true }),
        (value) => {
          let text: string;
          try {
            text = stringify(value);
          } catch {
            return; // not every JS value has a YAML form; that is the generator's problem, not the loader's
          }
          survive(text);
        },
      ),
      settings,
    );
  });

  test("documents with the right header and random bodies", () => {
    const kind = fc.constantFrom("Stack", "FlowControlPolicy", "Gate", "Settings");
    const body = fc.jsonValue({ maxDepth: 5 });
    fc.assert(
      fc.property(kind, body, body, (k, metadata, spec) => {
        survive(stringify({ apiVersion: "flowgate/v1", kind: k, metadata, spec }));
        survive(stringify({ apiVersion: "flowgate/v1", kind: k, metadata: { name: "n" }, spec }));
      }),
      settings,
    );
  });

  test("a valid file with random edits", () => {
    const edit = fc.record({
      at: fc.nat({ max: VALID.length }),
      remove: fc.nat({ max: 8 }),
      insert: fc.string({ maxLength: 8 }),
    });
    expect(survive(VALID).diagnostics).toEqual([]);
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        let text = VALID;
        for (const e of edits) text = text.slice(0, e.at) + e.insert + text.slice(e.at + e.remove);
        survive(text);
      }),
      settings,
    );
  });
});

describe("hostile files end quickly with a clear message", () => {
  const cases: [string, string, string][] = [
    ["100,000 nested brackets", "[".repeat(100_000), "nesting is deeper than 64 levels"],
    ["100,000 nested block lists", `${"- ".repeat(100_000)}x`, "nesting is deeper than 64 levels"],
    ["100,000 nested mappings", "{a: ".repeat(100_000), "nesting is deeper than 64 levels"],
    ["a 5 MB file", `a: "${"x".repeat(5_000_000)}"\n`, "over the 1 MiB limit"],
    [
      "billion laughs",
      `a: &a [x,x,x,x,x,x,x,x,x]\n${"bcdefghi"
        .split("")
        .map((c, i) => `${c}: &${c} [${Array(9).fill(`*${"abcdefghi"[i]}`).join(",")}]`)
        .join("\n")}\n`,
      "alias",
    ],
    ["NUL bytes", "apiVersion: flowgate/v1\u0000\u0000", "control character U+0000"],
    [
      "invalid UTF-8, decoded",
      Buffer.from([0x6b, 0x3a, 0x20, 0xc3, 0x28, 0xff]).toString("utf8"),
      'missing field "apiVersion"',
    ],
    [
      "a custom tag on a whole document",
      "--- !ruby/object:Gem::Installer\ni: x\n",
      'tag "!ruby/object:Gem::Installer" is not allowed',
    ],
    ["20,000 empty documents", "---\n".repeat(20_000), "over the limit of 500"],
  ];
  for (const [name, content, message] of cases) {
    test(name, () => {
      const started = performance.now();
      const set = survive(content);
      expect(performance.now() - started).toBeLessThan(15_000);
      expect(set.diagnostics.map((d) => d.message).join("\n")).toContain(message);
    });
  }

  test("hostile files one after another in one process", () => {
    // Stack overflows inside the YAML composer have aborted V8 when they happened twice in one process.
    for (let i = 0; i < 5; i++) {
      survive("[".repeat(50_000));
      survive(`${"- ".repeat(50_000)}x`);
    }
  });
});
