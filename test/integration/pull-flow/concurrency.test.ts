import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { postWebhook } from "../../support/fake-github/webhook-sender.js";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import { pullRequestEvent } from "../../support/webhooks.js";
import { latestCheck, openPull, quiet, TWO_STACK_FILES, waitForAggregate } from "./support.js";

describe("the same PR seen by several workers and many events", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it("dispatches once when two app processes on one Redis receive the same webhook, and again", async () => {
    const second = await h.another();
    const secondPort = await second.listen(0, "127.0.0.1");
    const repo = seedRepo(h.gh, TWO_STACK_FILES);
    h.gh.setPermission(repo.fullName, "alice", "write");
    const head = h.gh.commit(repo.fullName, "resize", { "infra/prod/billing-db/main.tf": "# bigger\n" });
    const pull = h.gh.openPull({ repo: repo.fullName, head: { ref: "resize", sha: head }, user: "alice" });
    const payload = pullRequestEvent(h.gh, "opened", pull);

    const deliver = (target: string, deliveryId: string) =>
      postWebhook({
        target,
        secret: "s3cret",
        event: "pull_request",
        payload,
        hookId: 1,
        appId: h.gh.appId,
        deliveryId,
      });
    const id = randomUUID();
    const secondUrl = `http://127.0.0.1:${secondPort}/api/github/webhooks`;
    // One delivery reaching both processes, a redelivery, and the same event under another delivery id.
    const answers = await Promise.all([
      deliver(h.webhookUrl, id),
      deliver(secondUrl, id),
      deliver(h.webhookUrl, id),
      deliver(secondUrl, randomUUID()),
    ]);
    expect(answers.map((a) => a.status).every((s) => s < 300)).toBe(true);

    await waitForAggregate(h, repo, head, "in_progress");
    await h.waitFor(() => h.gh.dispatches(repo.fullName)[0], "the plan");
    await quiet(h);
    expect(h.gh.dispatches(repo.fullName)).toHaveLength(1);
    expect(h.gh.checkRuns(repo.fullName, { headSha: head, name: "flowgate" })).toHaveLength(1);
    expect(h.gh.checkRuns(repo.fullName, { headSha: head, name: "flowgate/plan: billing-db" })).toHaveLength(
      1,
    );
    const stickies = h.gh
      .comments(repo.fullName, pull.number)
      .filter((c) => c.body.includes("<!-- flowgate:sticky -->"));
    expect(stickies).toHaveLength(1);
  });

  it("ends a burst of pushes with the checks on the last head and one dispatch per head at most", async () => {
    await h.another();
    const repo = seedRepo(h.gh, TWO_STACK_FILES);
    h.gh.setPermission(repo.fullName, "alice", "write");
    const { pull, head: first } = await openPull(h, repo, "burst", {
      "infra/prod/billing-db/main.tf": "# v1\n",
    });
    const heads = [first];
    const events = [];
    for (let i = 2; i <= 5; i++) {
      const { before, after } = h.gh.pushToPull(repo.fullName, pull.number, {
        "infra/prod/billing-db/main.tf": `# v${i}\n`,
      });
      heads.push(after);
      events.push(pullRequestEvent(h.gh, "synchronize", pull, { before, after }));
    }
    // GitHub guarantees no order, and the four usually share one `updated_at` second: deliver them newest
    // first, back to back, while two processes' workers take them concurrently.
    for (const e of events.reverse()) await h.gh.sendWebhook("pull_request", e);
    const last = heads.at(-1)!;

    const dispatch = await h.waitFor(
      () => h.gh.dispatches(repo.fullName).find((d) => d.inputs.sha === last),
      "the plan of the last head",
    );
    expect(dispatch.inputs.stack).toBe("billing-db");
    await waitForAggregate(h, repo, last, "in_progress");
    await quiet(h);
    const perHead = new Map<string, number>();
    for (const d of h.gh.dispatches(repo.fullName))
      perHead.set(d.inputs.sha!, (perHead.get(d.inputs.sha!) ?? 0) + 1);
    expect([...perHead.values()].every((n) => n === 1)).toBe(true);
    expect(latestCheck(h, repo, last, "flowgate/plan: billing-db")?.externalId).toBe(dispatch.inputs.job_id);
    const record = await h.app.runtime.pulls.get(repo.id, pull.number);
    expect(record?.facts.headSha).toBe(last);
    const comment = h.gh.comments(repo.fullName, pull.number).find((c) => c.viaApp);
    expect(comment?.body).toContain(`Head \`${last.slice(0, 7)}\``);
  });
});
