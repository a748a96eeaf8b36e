import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../../support/harness.js";
import {
  gateCheck,
  openPlannedPull,
  policyYaml,
  seedInfra,
  stackYaml,
  waitForSticky,
  waitForVerdict,
} from "./support.js";

const HOUR = 3_600_000;

/** The app's clock: real time shifted by `offset`, so a test can stand just before an hour boundary. */
function offsetClock() {
  const clock = { offset: 0, now: () => new Date(Date.now() + clock.offset) };
  return clock;
}

describe("policy schedules (SPEC §2.2)", () => {
  let h: Harness;
  const clock = offsetClock();
  beforeEach(async () => {
    clock.offset = 0;
    h = await startHarness({ clock });
  });
  afterEach(async () => {
    await h.stop();
  });

  it("flips the flowgate check at the hour boundary with no webhook", async () => {
    // Three seconds before the next full hour (UTC) on the app's clock.
    const boundary = Math.ceil((Date.now() + 60_000) / HOUR) * HOUR;
    clock.offset = boundary - 3_000 - Date.now();
    const hour = new Date(boundary).getUTCHours();
    const policy = policyYaml(`    pauseBetweenPreviewAndUpdateOrDestroy: true
    schedule:
      - { hours: "${hour}-${hour + 1}", policy: { pauseBetweenPreviewAndUpdateOrDestroy: false } }
`);
    const repo = seedInfra(h, { ".github/flowgate/stacks.yml": `${stackYaml()}---\n${policy}` });
    const pr = await openPlannedPull(h, repo);

    await h.waitFor(
      () => gateCheck(h, repo, pr.head)?.output.title === "Waiting: billing-db (approvals)",
      "the PR waiting for an approval before the boundary",
    );
    expect(clock.now().getTime()).toBeLessThan(boundary);
    const webhooks = h.gh.deliveries.filter((d) => !d.auto).length;

    const passed = await waitForVerdict(h, pr, "success", undefined, pr.head, 8_000);
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(boundary);
    expect(passed.output.title).toBe("1 stack ready");
    expect(passed.output.summary).not.toContain("approvals:");
    await waitForSticky(h, pr, "✅ 1 stack ready");
    expect(h.gh.deliveries.filter((d) => !d.auto).length).toBe(webhooks);
  });
});
