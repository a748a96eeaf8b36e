/** A failed run's error output, made fit for result.json and for a one-line reason. */
import { describe, expect, it } from "vitest";
import {
  errorSummary,
  errorText,
  MAX_ERROR_SUMMARY_CHARS,
  MAX_ERROR_TEXT_CHARS,
} from "../../../src/plan/error-text.js";
import { parseResultJson } from "../../../src/plan/result.js";
import { failureResult } from "../../../src/plan/summarize.js";
import { SHA } from "./helpers.js";

describe("errorText", () => {
  it("removes colours and control characters, so result.json accepts it", () => {
    const raw = "\u001b[31mError:\u001b[0m bad\r\nnext\u0007 line\ttab\u001b(B\n";
    const text = errorText(raw);
    expect(text).toBe("Error: bad\nnext line\ttab");
    const result = failureResult(text, { jobId: "j", stack: "s", operation: "plan", sha: SHA });
    expect(parseResultJson(result).ok).toBe(true);
    expect(parseResultJson(failureResult(raw, { jobId: "j", stack: "s", sha: SHA })).ok).toBe(false);
  });

  it("keeps the end of a long output, from a whole line, and says what it left out", () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => `line ${i} of the output`);
    const text = errorText(`${lines.join("\n")}\nError: the last word`);
    expect(text.length).toBeLessThanOrEqual(MAX_ERROR_TEXT_CHARS + 100);
    expect(text).toMatch(/^\[\d+ earlier characters left out\]\nline \d+ of the output\n/);
    expect(text.endsWith("Error: the last word")).toBe(true);
  });

  it("is empty for output that is only whitespace and colour", () => {
    expect(errorText(" \n\u001b[0m\r\n")).toBe("");
  });
});

describe("errorSummary", () => {
  it("picks the Error lines of Terraform's framed diagnostics and of Pulumi", () => {
    const terraform =
      "terraform plan failed:\n╷\n│ Error: Unsupported argument\n│\n│ on main.tf line 3\n╵\n╷\n│ Error: Missing name\n╵";
    expect(errorSummary(terraform)).toBe("Error: Unsupported argument · Error: Missing name");
    expect(errorSummary("pulumi up failed:\nerror: update failed")).toBe("error: update failed");
  });

  it("falls back to every line, and stays short", () => {
    expect(errorSummary("npm ci failed:\n\nnpm ERR! missing lockfile\n")).toBe(
      "npm ci failed: · npm ERR! missing lockfile",
    );
    expect(errorSummary("x".repeat(5000)).length).toBe(MAX_ERROR_SUMMARY_CHARS + 1);
  });
});
