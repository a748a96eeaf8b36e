import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import { pullRequestEvent } from "../../support/webhooks.js";
import { latestCheck, openPull, quiet, TWO_STACK_FILES, waitForAggregate } from "./support.js";

describe("GitHub requests per synchronize, with warm caches", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it("stay within 3 + 2 per affected stack", async () => {
    const repo = seedRepo(h.gh, TWO_STACK_FILES);
    h.gh.setPermission(repo.fullName, "alice", "write");
    const { pull, head } = await openPull(h, repo, "tune", { "infra/prod/billing-db/main.tf": "# v1\n" });
    await waitForAggregate(h, repo, head, "in_progress");
    await h.waitFor(() => h.gh.dispatches(repo.fullName).length === 1, "the first plan");
    await quiet(h);

    const pushes: { files: Record<string, string>; stacks: string[] }[] = [
      { files: { "infra/prod/billing-db/main.tf": "# v2\n" }, stacks: ["billing-db"] },
      {
        files: { "infra/prod/billing-db/main.tf": "# v3\n", "infra/prod/network/main.tf": "# v3\n" },
        stacks: ["billing-db", "network"],
      },
    ];
    for (const push of pushes) {
      const dispatched = h.gh.dispatches(repo.fullName).length;
      const { before, after } = h.gh.pushToPull(repo.fullName, pull.number, push.files);
      const since = Date.now();
      const log = h.gh.requests.length;
      await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "synchronize", pull, { before, after }));
      await h.waitFor(
        () => h.gh.dispatches(repo.fullName).length === dispatched + push.stacks.length,
        "the plans of the new head",
      );
      for (const stack of push.stacks)
        await h.waitFor(
          () => latestCheck(h, repo, after, `flowgate/plan: ${stack}`)?.output.title === "Planning",
          `${stack} planning`,
        );
      await waitForAggregate(h, repo, after, "in_progress");
      await quiet(h);
      const charged = h.gh.requests.slice(log).filter((r) => r.charged);
      const seen = charged.map((r) => `${r.method} ${r.path} ${r.status}`);
      expect(h.gh.countRequests({ since, charged: true })).toBe(charged.length);
      // The file list, the aggregate check, the comment edit; a check and a dispatch per stack.
      expect(charged.length, seen.join("\n")).toBeLessThanOrEqual(3 + 2 * push.stacks.length);
      expect(seen.filter((r) => r.startsWith("GET /repos/acme/infra/pulls/1/files"))).toHaveLength(1);
    }
  });
});
