import { describe, expect, it } from "vitest";
import { combineHeadVerdicts, type HeadVerdict } from "../../../src/engine/shared-head.js";

const pr = (number: number, conclusion: HeadVerdict["conclusion"], baseRef = "main"): HeadVerdict => ({
  number,
  baseRef,
  conclusion,
  title: `${conclusion} title of #${number}`,
});

describe("combineHeadVerdicts: the strictest verdict of every open PR on one head", () => {
  it("alone, a PR's own verdict stands with no note", () => {
    expect(combineHeadVerdicts(pr(1, "success"), [])).toEqual({
      conclusion: "success",
      title: "success title of #1",
      note: "",
    });
  });

  it("a green PR on a head another PR holds shows the hold, naming that PR and its base", () => {
    const combined = combineHeadVerdicts(pr(2, "success", "base2"), [pr(1, "pending")]);
    expect(combined.conclusion).toBe("pending");
    expect(combined.title).toBe("Held by #1 into main: pending title of #1");
    expect(combined.note).toContain("- #1 into `main`: pending — pending title of #1");
  });

  it("failure outranks pending, and the lowest number breaks ties", () => {
    const combined = combineHeadVerdicts(pr(5, "success"), [
      pr(4, "pending"),
      pr(3, "failure"),
      pr(2, "failure"),
    ]);
    expect(combined.conclusion).toBe("failure");
    expect(combined.title.startsWith("Held by #2 into main")).toBe(true);
  });

  it("a PR at least as strict as the others keeps its own title and still lists the others that hold", () => {
    const combined = combineHeadVerdicts(pr(1, "failure"), [pr(2, "pending"), pr(3, "success")]);
    expect(combined).toMatchObject({ conclusion: "failure", title: "failure title of #1" });
    expect(combined.note).toContain("#2 into `main`");
    expect(combined.note).not.toContain("#3");
  });
});
