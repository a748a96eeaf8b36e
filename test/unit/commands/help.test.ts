import { describe, expect, it } from "vitest";
import { helpText } from "../../../src/engine/help.js";

describe("helpText", () => {
  it("lists every command on its own table row", () => {
    const text = helpText();
    for (const usage of [
      "/plan",
      "/approve",
      "/reject",
      "/apply",
      "/retry",
      "/cancel",
      "/open-gate",
      "/close-gate",
      "/override",
      "/flowgate help",
    ]) {
      expect(
        text
          .split("\n")
          .filter((line) => line.startsWith(`| \`${usage} `) || line.startsWith(`| \`${usage}\``)),
      ).toHaveLength(1);
    }
    expect(text).toContain("breakGlass");
  });
});
