import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import {
  latestCheck,
  openPull,
  quiet,
  stackDoc,
  sticky,
  TWO_STACK_FILES,
  waitForAggregate,
} from "./support.js";

// Line 9 holds a value the schema refuses.
const BROKEN_POLICY = `apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: production-careful }
spec:
  selector: { kind: environment, id: production }
  flowControl:
    previewBeforeUpdateOrDestroy: true
    isManual: false
    pauseBetweenPreviewAndUpdateOrDestroy: sometimes
`;

const CONTENTS = /^GET \/repos\/acme\/infra\/contents\/\.github(%2F|\/)flowgate/;

describe("configuration that cannot be used", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it("fails the flowgate check naming file, line and reason, and leaves another repository alone", async () => {
    const broken = seedRepo(h.gh, {
      ".github/flowgate/stacks.yml": stackDoc("billing-db", "production", "infra/prod/billing-db"),
      ".github/flowgate/policies.yml": BROKEN_POLICY,
      "infra/prod/billing-db/main.tf": "# db\n",
    });
    const healthy = seedRepo(h.gh, TWO_STACK_FILES, "platform");
    for (const repo of [broken, healthy]) h.gh.setPermission(repo.fullName, "alice", "write");

    const bad = await openPull(h, broken, "resize", { "infra/prod/billing-db/main.tf": "# bigger\n" });
    const good = await openPull(h, healthy, "resize", { "infra/prod/network/main.tf": "# wider\n" });

    const failed = await waitForAggregate(h, broken, bad.head, "failure");
    expect(failed.output.title).toMatch(/^configuration error: \.github\/flowgate\/policies\.yml:9:\d+ /);
    expect(failed.output.title).toMatch(/pauseBetweenPreviewAndUpdateOrDestroy must be true or false/);
    expect(failed.output.summary).toContain(".github/flowgate/policies.yml:9:");
    const comment = await h.waitFor(() => sticky(h, broken, bad.pull.number)[0], "the sticky comment");
    expect(comment.body).toContain(".github/flowgate/policies.yml:9:");

    const dispatch = await h.waitFor(
      () => h.gh.dispatches(healthy.fullName)[0],
      "the healthy repository's plan",
    );
    expect(dispatch.inputs.stack).toBe("network");
    await waitForAggregate(h, healthy, good.head, "in_progress");
    await quiet(h);
    expect(h.gh.dispatches(broken.fullName)).toEqual([]);
    expect(h.gh.checkRuns(broken.fullName, { headSha: bad.head }).map((c) => c.name)).toEqual(["flowgate"]);
  });

  it.each([500, 403])(
    "fails closed, saying why, when GitHub answers %i for .github/flowgate",
    async (status) => {
      const repo = seedRepo(h.gh, TWO_STACK_FILES);
      h.gh.setPermission(repo.fullName, "alice", "write");
      // More than the retries (5xx) and the secondary-rate-limit waits (403) flowgate allows itself.
      h.gh.failNext(CONTENTS, status, 4);
      const { pull, head } = await openPull(h, repo, "docs", { "docs/guide.md": "# guide\n" });

      const failed = await waitForAggregate(h, repo, head, "failure");
      expect(failed.output.title).toMatch(
        new RegExp(
          `^configuration error: cannot read acme/infra/\\.github/flowgate at main: GitHub answered ${status}`,
        ),
      );
      expect(failed.output.title).not.toMatch(/No stacks affected/);
      const comment = await h.waitFor(() => sticky(h, repo, pull.number)[0], "the sticky comment");
      expect(comment.body).toContain(`GitHub answered ${status}`);
      await quiet(h);
      expect(h.gh.dispatches(repo.fullName)).toEqual([]);
    },
  );

  it("treats a 404 for .github/flowgate as no configuration", async () => {
    const repo = seedRepo(h.gh, TWO_STACK_FILES);
    h.gh.setPermission(repo.fullName, "alice", "write");
    h.gh.failNext(CONTENTS, 404, 1);
    const { head } = await openPull(h, repo, "docs", { "docs/guide.md": "# guide\n" });

    const passed = await waitForAggregate(h, repo, head, "success");
    expect(passed.output.title).toBe("No stacks affected");
    expect(passed.output.summary).not.toMatch(/configuration error/);
    expect(latestCheck(h, repo, head, "flowgate")?.conclusion).toBe("success");
    expect(h.gh.requests.filter((r) => r.fault).map((r) => [r.status, `${r.method} ${r.path}`])).toEqual([
      [404, expect.stringMatching(CONTENTS)],
    ]);
  });

  it("refuses an oversized configuration file without reading it, and fails closed naming it", async () => {
    const repo = seedRepo(h.gh, {
      ".github/flowgate/stacks.yml": stackDoc("billing-db", "production", "infra/prod/billing-db"),
      // 595 KiB of comments: valid YAML, but more than one file may hold.
      ".github/flowgate/huge.yml": `${"# padding padding padding padding padding padding padding\n".repeat(10_500)}`,
      "infra/prod/billing-db/main.tf": "# db\n",
    });
    h.gh.setPermission(repo.fullName, "alice", "write");
    const { head } = await openPull(h, repo, "change", { "infra/prod/billing-db/main.tf": "# bigger\n" });
    const check = await waitForAggregate(h, repo, head, "failure");
    expect(check.output.summary).toMatch(
      /\.github\/flowgate\/huge\.yml is 595 KiB; one configuration file may hold at most 512 KiB/,
    );
    await quiet(h);
    expect(h.gh.dispatches(repo.fullName)).toEqual([]);
    // huge.yml comes first in the folder and its size in the listing was enough: no blob was read.
    expect(h.gh.requests.filter((r) => r.path.includes("/git/blobs/"))).toHaveLength(0);
  });
});
