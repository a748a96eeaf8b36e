import { afterEach, describe, expect, it } from "vitest";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import { pullRequestEvent } from "../../support/webhooks.js";

const CONFIG = `apiVersion: flowgate/v1
kind: Stack
metadata: { name: web }
spec: { kind: aws_s3, environment: production, dir: infra/web }
`;

describe("GitHub 4xx answers become a clear message on the check (SPEC §7)", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it("a 404 that retrying cannot fix fails the flowgate check and says what GitHub answered", async () => {
    h = await startHarness();
    const repo = seedRepo(h.gh, { ".github/flowgate/stacks.yml": CONFIG });
    const head = h.gh.commit(repo.fullName, "x", { "infra/web/main.tf": "# x\n" });
    const pull = h.gh.openPull({ repo: repo.fullName, head: { ref: "x", sha: head }, user: "dev" });
    h.gh.failNext(/GET \/repos\/acme\/infra\/pulls\/1\/files/, 404, 50);
    await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "opened", pull));
    const gh = h.gh;
    const check = await h.waitFor(
      () => gh.checkRuns(repo.fullName, { headSha: head, name: "flowgate" })[0],
      "the flowgate check",
    );
    expect(check.conclusion).toBe("failure");
    expect(check.output.title).toBe("GitHub answered 404: flowgate could not evaluate this PR");
    expect(check.output.summary).toMatch(/fails closed/);
    expect(gh.dispatches(repo.fullName)).toHaveLength(0);
  });

  for (const status of [401, 409]) {
    it(`a ${status} while dispatching a workflow is tried again, not the end of the job`, async () => {
      h = await startHarness();
      const repo = seedRepo(h.gh, { ".github/flowgate/stacks.yml": CONFIG });
      const head = h.gh.commit(repo.fullName, "x", { "infra/web/main.tf": "# x\n" });
      const pull = h.gh.openPull({ repo: repo.fullName, head: { ref: "x", sha: head }, user: "dev" });
      // An installation token that expired mid-dispatch (401), or a conflict that moves on (409).
      // More failures than Octokit's own retries absorb, so the worker sees the answer itself.
      h.gh.failNext(/POST .*\/dispatches$/, status, 6);
      await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "opened", pull));
      const gh = h.gh;
      const dispatch = await h.waitFor(
        () => gh.dispatches(repo.fullName)[0],
        "the plan dispatched on a later try",
        45_000,
      );
      expect(dispatch.inputs.stack).toBe("web");
      expect(gh.requests.filter((r) => r.method === "POST" && r.path.endsWith("/dispatches"))).toHaveLength(
        7,
      );
      const plan = gh.checkRuns(repo.fullName, { headSha: head, name: "flowgate/plan: web" }).at(-1);
      expect(plan?.conclusion).not.toBe("failure");
    }, 60_000);
  }
});
