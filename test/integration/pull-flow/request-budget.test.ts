import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import { pullRequestEvent, pushEvent } from "../../support/webhooks.js";
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

  it("an evaluation that changes nothing writes nothing: no check, no comment", async () => {
    const repo = seedRepo(h.gh, TWO_STACK_FILES);
    h.gh.setPermission(repo.fullName, "alice", "write");
    const { pull, head } = await openPull(h, repo, "tune", { "infra/prod/billing-db/main.tf": "# v1\n" });
    await waitForAggregate(h, repo, head, "in_progress");
    await h.waitFor(() => h.gh.dispatches(repo.fullName).length === 1, "the first plan");
    await quiet(h);
    const log = h.gh.requests.length;
    const evaluated = (await h.app.runtime.pulls.get(repo.id, pull.number))?.lastDecision;
    await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "labeled", pull, { label: "noise" }));
    await quiet(h);
    const writes = h.gh.requests
      .slice(log)
      .filter((r) => r.method !== "GET")
      .map((r) => `${r.method} ${r.path} ${r.status}`);
    expect(writes).toEqual([]);
    // It did evaluate: the plan check and the comment were compared with what GitHub already shows.
    expect(
      h.gh.requests
        .slice(log)
        .some((r) => r.path.endsWith(`/pulls/${pull.number}/files`) || r.path.includes("/contents/")),
    ).toBe(true);
    expect((await h.app.runtime.pulls.get(repo.id, pull.number))?.lastDecision).toEqual(evaluated);
  });

  it("read the organization's missing .github/flowgate once, and again after a push to .github", async () => {
    const repo = seedRepo(h.gh, TWO_STACK_FILES);
    h.gh.setPermission(repo.fullName, "alice", "write");
    const orgReads = () =>
      h.gh.requests.filter((r) => r.path.startsWith("/repos/acme/.github/contents")).length;
    const { pull, head } = await openPull(h, repo, "tune", { "infra/prod/billing-db/main.tf": "# v1\n" });
    await waitForAggregate(h, repo, head, "in_progress");
    await quiet(h);
    expect(orgReads()).toBe(1);
    // More events: the 404 is remembered, no charged read of the organization's configuration.
    for (const label of ["a", "b"]) {
      await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "labeled", pull, { label }));
      await quiet(h);
    }
    expect(orgReads()).toBe(1);
    // The organization creates its .github repository with policies and pushes: read again.
    const org = seedRepo(h.gh, { ".github/flowgate/org.yml": "# nothing yet\n" }, ".github");
    const sha = org.branches.get(org.defaultBranch)!;
    await h.gh.sendWebhook("push", pushEvent(h.gh, org, { before: "0".repeat(40), after: sha }));
    await quiet(h);
    await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "labeled", pull, { label: "c" }));
    await quiet(h);
    expect(orgReads()).toBeGreaterThan(1);
  });
});
