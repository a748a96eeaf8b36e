import { describe, expect, test } from "vitest";
import { DEFAULT_YAML_LIMITS, parseYamlFile } from "../../../src/config/yaml.js";
import { brief } from "./helpers.js";

const parse = (content: string, limits = DEFAULT_YAML_LIMITS) => parseYamlFile("f.yml", content, limits);

/** A file that expands to 9^9 strings if aliases were followed blindly. */
const BILLION_LAUGHS = `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`;

describe("multi-document files", () => {
  test("each document keeps its index, value and positions", () => {
    const file = parse("a: 1\n---\n# comment\nb:\n  c: [x, y]\n---\n---\nd: true\n");
    expect(file.diagnostics).toEqual([]);
    expect(file.documents.map((d) => [d.index, d.value])).toEqual([
      [0, { a: 1 }],
      [1, { b: { c: ["x", "y"] } }],
      [2, null],
      [3, { d: true }],
    ]);
    const second = file.documents[1]!;
    expect(second.pos(["b", "c", 1])).toEqual({ line: 5, col: 10 });
    expect(second.keyPos(["b", "c"])).toEqual({ line: 5, col: 3 });
    expect(file.documents[3]!.pos(["d"])).toEqual({ line: 8, col: 4 });
  });

  test("a path that does not exist falls back to the nearest ancestor, then the document start", () => {
    const doc = parse("x: 0\n---\nspec:\n  flowControl: {}\n  empty:\n").documents[1]!;
    expect(doc.pos(["spec", "flowControl", "isManual"])).toEqual({ line: 4, col: 16 });
    expect(doc.pos(["spec", "missing", 3])).toEqual({ line: 4, col: 3 });
    // an empty value is best shown at its key
    expect(doc.pos(["spec", "empty"])).toEqual({ line: 5, col: 3 });
    expect(doc.pos(["nothing"])).toEqual({ line: 3, col: 1 });
    expect(doc.pos([])).toEqual({ line: 3, col: 1 });
  });

  test("an error in one document leaves the others readable", () => {
    const file = parse("a: 1\n---\nb: [1, 2\nc: 3\n---\nd: 4\n");
    expect(file.documents.map((d) => d.value)).toEqual([{ a: 1 }, undefined, { d: 4 }]);
    expect(file.diagnostics.map(brief)).toEqual([
      "4:1 error Flow sequence in block collection must be sufficiently indented and end with a ]",
    ]);
  });
});

describe("YAML mistakes become diagnostics at their place", () => {
  test("duplicate keys, named", () => {
    const file = parse('kind: Stack\nmetadata: {}\n"kind": Gate\n');
    expect(file.diagnostics.map(brief)).toEqual(['3:1 error duplicate key "kind"']);
    expect(file.documents[0]!.value).toBeUndefined();
  });

  test("an unclosed quote is shown where it opens, once", () => {
    const file = parse('a: 1\nb: { c: "open\nd: 2\ne: 3\n');
    expect(file.diagnostics.map(brief)).toEqual(["2:9 error this quoted string is never closed"]);
  });

  test("custom and unsafe tags are refused at the tag, and nothing is built from them", () => {
    const file = parse(
      'a: !!js/function "function () {}"\nb: !foo bar\nc: !!binary aGVsbG8=\nd: !!set { x }\n',
    );
    expect(file.diagnostics.map(brief)).toEqual([
      '1:4 error tag "!!js/function" is not allowed: flowgate reads plain YAML only',
      '2:4 error tag "!foo" is not allowed: flowgate reads plain YAML only',
      '3:4 error tag "!!binary" is not allowed: flowgate reads plain YAML only',
      '4:4 error tag "!!set" is not allowed: flowgate reads plain YAML only',
    ]);
    expect(file.documents[0]!.value).toBeUndefined();
  });

  test("the plain core tags are fine", () => {
    const file = parse("a: !!str 3\nb: !!int 4\nc: !!map { x: 1 }\nd: ! 5\n");
    expect(file.diagnostics).toEqual([]);
    expect(file.documents[0]!.value).toEqual({ a: "3", b: 4, c: { x: 1 }, d: "5" });
  });

  test("YAML 1.1 oddities stay text: yes, dates, sexagesimal", () => {
    expect(parse("a: yes\nb: 2024-02-01\nc: 1:30\n").documents[0]!.value).toEqual({
      a: "yes",
      b: "2024-02-01",
      c: "1:30",
    });
  });

  test("keys that are lists, mappings or aliases are refused", () => {
    const file = parse("? [a, b]\n: 1\n");
    expect(file.diagnostics.map(brief)).toEqual([
      "1:3 error keys must be plain text, not lists, mappings or aliases",
    ]);
  });

  test("a file with a NUL byte or other control character is refused before parsing", () => {
    const file = parse("a: 1\nb: x\u0000y\n");
    expect(file.diagnostics.map(brief)).toEqual([
      "2:5 error file contains the control character U+0000; is it a binary file? not read",
    ]);
    expect(file.documents).toEqual([]);
    expect(parse("a: \t1\r\nb: 2\n").diagnostics).toEqual([]);
  });
});

describe("limits against hostile input", () => {
  test("a file over the size limit is refused before parsing", () => {
    const content = `a: ${"x".repeat(5 * 1024 * 1024)}\n`;
    const started = performance.now();
    const file = parse(content);
    // refused before parsing: reading 5 MiB of YAML would take far longer than this on any machine
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(file.documents).toEqual([]);
    expect(file.diagnostics.map(brief)).toEqual(["1:1 error file is 5 MiB, over the 1 MiB limit; not read"]);
  });

  test("too many documents", () => {
    const file = parse("---\na: 1\n".repeat(6), { ...DEFAULT_YAML_LIMITS, maxDocuments: 5 });
    expect(file.documents).toEqual([]);
    expect(file.diagnostics.map(brief)).toEqual([
      "11:1 error file has 6 documents, over the limit of 5; not read",
    ]);
    expect(
      parse("---\na: 1\n".repeat(5), { ...DEFAULT_YAML_LIMITS, maxDocuments: 5 }).documents,
    ).toHaveLength(5);
  });

  test("nesting deeper than 64 levels is refused; 64 is fine", () => {
    const ok = parse(`${"[".repeat(64)}${"]".repeat(64)}`);
    expect(ok.diagnostics).toEqual([]);
    const deep = parse(`a: 1\n---\nb: ${"[".repeat(65)}${"]".repeat(65)}\n`);
    expect(deep.diagnostics.map(brief)).toEqual([
      "3:67 error nesting is deeper than 64 levels; document not read",
    ]);
    expect(deep.documents.map((d) => d.value)).toEqual([{ a: 1 }, undefined]);
    const block = Array.from({ length: 70 }, (_, i) => `${" ".repeat(i)}k:`).join("\n");
    expect(parse(block).diagnostics.map((d) => d.message)).toEqual([
      "nesting is deeper than 64 levels; document not read",
    ]);
  });

  test("100,000 levels of nesting, twice in a row, neither crash nor stall", () => {
    // Composing such input overflows the stack; twice in one process that has aborted V8. It must never get there.
    // A stall shows as the test's timeout; no wall-clock bound, which a busy machine would break.
    for (const content of [
      "[".repeat(100_000),
      `${"[".repeat(100_000)}${"]".repeat(100_000)}`,
      `${"- ".repeat(100_000)}x`,
    ]) {
      const file = parse(content);
      expect(file.diagnostics.map((d) => d.message)).toContain(
        "nesting is deeper than 64 levels; document not read",
      );
    }
  }, 60_000);

  test("an alias bomb is refused without expanding it", () => {
    // expanding it would not finish (a billion nodes): the test's timeout is the bound
    const file = parse(BILLION_LAUGHS);
    expect(file.documents[0]!.value).toBeUndefined();
    expect(file.diagnostics.map((d) => d.message)).toEqual([
      "aliases expand to too much data (an alias bomb?); document not read",
    ]);
  });

  test("too many alias nodes are refused even when each is small", () => {
    const content = `a: &a 1\nb: [${Array.from({ length: 101 }, () => "*a").join(", ")}]\n`;
    const file = parse(content);
    expect(file.diagnostics.map((d) => d.message)).toEqual([
      "more than 100 aliases in one document; document not read",
    ]);
  });

  test("a few aliases are fine", () => {
    const file = parse("teams: &teams [sre, platform]\nfromTeams: *teams\n");
    expect(file.diagnostics).toEqual([]);
    expect(file.documents[0]!.value).toEqual({ teams: ["sre", "platform"], fromTeams: ["sre", "platform"] });
  });
});
