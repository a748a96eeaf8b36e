import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, planResult, seedRepo, startHarness } from "../../support/harness.js";
import { latestCheck, openPull, TWO_STACK_FILES } from "./support.js";

const LIMIT = 65_535;

describe("a plan text larger than GitHub takes", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it("is cut to 65,535 bytes (not characters) and says so", async () => {
    const repo = seedRepo(h.gh, TWO_STACK_FILES);
    h.gh.setPermission(repo.fullName, "alice", "write");
    const { head } = await openPull(h, repo, "tags", { "infra/prod/billing-db/main.tf": "# tags\n" });
    const dispatch = await h.waitFor(() => h.gh.dispatches(repo.fullName)[0], "the plan");

    // 30,000 characters, 3 bytes each in UTF-8: fine by a character count, twice too long in bytes.
    const line = `  ~ tags.description = "Überwachung → ${"☂".repeat(60)}"\n`;
    const text = `${line.repeat(Math.ceil(30_000 / line.length))}\`\`\`\nPlan: 1 to add, 2 to change, 0 to destroy.`;
    expect(text.length).toBeLessThan(LIMIT);
    expect(Buffer.byteLength(text)).toBeGreaterThan(LIMIT);
    await h.gh.completeRun(repo.fullName, dispatch.runId, {
      conclusion: "success",
      result: { ...planResult(dispatch), text },
    });

    const check = await h.waitFor(() => {
      const c = latestCheck(h, repo, head, "flowgate/plan: billing-db");
      return c?.conclusion === "success" ? c : undefined;
    }, "the plan check with the plan");
    const shown = check.output.text ?? "";
    expect(Buffer.byteLength(shown)).toBeLessThanOrEqual(LIMIT);
    expect(Buffer.byteLength(shown)).toBeGreaterThan(LIMIT - 1_000);
    expect(shown).toContain("Überwachung → ☂☂☂");
    expect(shown).not.toContain("\uFFFD");
    // The note stands after the closed code block, not inside it.
    const [before, note] = shown.split(/\n\n(?=… plan text cut)/);
    expect(note).toMatch(
      /^… plan text cut to GitHub's 65,535-byte limit; the full plan is in the run log: https:\/\//,
    );
    const fence = /^(`{3,})diff\n/.exec(before ?? "")?.[1];
    expect(fence).toMatch(/^`{3,}$/);
    expect(before!.endsWith(`\n${fence}`)).toBe(true);
    expect(h.gh.internalErrors).toEqual([]);
  });
});
