import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, planResult, seedRepo, startHarness } from "../../support/harness.js";
import { issueCommentEvent, pullRequestEvent, pushEvent } from "../../support/webhooks.js";
import { CAREFUL, openPlannedPull, say, seedInfra, stackYaml, waitForVerdict } from "../approvals/support.js";

const BREAK_GLASS = `apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: acme-break-glass }
spec:
  selector: { kind: organization, id: acme }
  flowControl:
    breakGlass: { allowedUsers: [oncall-olga] }
`;

const CONFIG = `apiVersion: flowgate/v1
kind: Stack
metadata: { name: web }
spec: { kind: aws_s3, environment: production, dir: infra/web }
`;

function metric(text: string, name: string, labels = ""): number {
  const line = text
    .split("\n")
    .find(
      (l) =>
        l.startsWith(`${name}${labels ? `{${labels}}` : ""} `) || (labels === "" && l.startsWith(`${name} `)),
    );
  return line ? Number(line.split(" ").at(-1)) : 0;
}

describe("observability", () => {
  let h: Harness;
  let base: string;
  beforeAll(async () => {
    h = await startHarness();
    base = h.webhookUrl.replace("/api/github/webhooks", "");
  });
  afterAll(async () => {
    await h.stop();
  });

  it("/metrics counters move with webhooks, dispatches, jobs and rejections", async () => {
    const before = await (await fetch(`${base}/metrics`)).text();
    const repo = seedRepo(h.gh, { ".github/flowgate/stacks.yml": CONFIG });
    h.gh.setPermission(repo.fullName, "reviewer", "write");
    const head = h.gh.commit(repo.fullName, "m", { "infra/web/main.tf": "# m\n" });
    const pull = h.gh.openPull({ repo: repo.fullName, head: { ref: "m", sha: head }, user: "dev" });
    await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "opened", pull));
    await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "opened", pull), { signature: "wrong" });
    const dispatch = await h.waitFor(() => h.gh.dispatches(repo.fullName)[0], "a dispatch");
    await h.gh.completeRun(repo.fullName, dispatch.runId, {
      conclusion: "success",
      result: planResult(dispatch),
    });
    await h.gh.sendWebhook(
      "issue_comment",
      issueCommentEvent(h.gh, pull, { login: "reviewer", body: "/reject -- not now" }),
    );
    await h.waitFor(
      () =>
        h.gh.checkRuns(repo.fullName, { headSha: head, name: "flowgate" }).at(-1)?.conclusion === "failure",
      "the rejection",
    );
    const after = await (await fetch(`${base}/metrics`)).text();

    expect(
      metric(after, "flowgate_webhooks_total", 'event="pull_request",outcome="accepted"'),
    ).toBeGreaterThan(metric(before, "flowgate_webhooks_total", 'event="pull_request",outcome="accepted"'));
    expect(metric(after, "flowgate_webhooks_total", 'event="pull_request",outcome="rejected"')).toBe(1);
    expect(metric(after, "flowgate_dispatches_total", 'operation="plan"')).toBe(1);
    expect(
      metric(
        after,
        "flowgate_stack_job_duration_seconds_count",
        'policy="platform-default",kind="plan",outcome="succeeded"',
      ),
    ).toBe(1);
    expect(metric(after, "flowgate_rejections_total", 'policy="platform-default"')).toBe(1);
  });

  it("/metrics counts an approval's wait and a break-glass override, and the queues drain to zero", async () => {
    const org = seedRepo(h.gh, { ".github/flowgate/break-glass.yml": BREAK_GLASS }, ".github");
    // As GitHub would: the new .github repository's first push (flowgate read the organization earlier).
    await h.gh.sendWebhook(
      "push",
      pushEvent(h.gh, org, { before: "0".repeat(40), after: org.branches.get(org.defaultBranch)! }),
    );
    const repo = seedInfra(h, { ".github/flowgate/stacks.yml": `${stackYaml()}---\n${CAREFUL}` }, "metered");
    h.gh.setPermission(repo.fullName, "oncall-olga", "write");
    const before = await (await fetch(`${base}/metrics`)).text();
    const approved = await openPlannedPull(h, repo, { branch: "approved" });
    await say(h, approved, "bob", "/approve");
    await waitForVerdict(h, approved, "success");
    const overridden = await openPlannedPull(h, repo, {
      branch: "overridden",
      files: { "infra/prod/billing-db/main.tf": "# a hotfix\n" },
    });
    await waitForVerdict(h, overridden, "pending");
    await say(h, overridden, "oncall-olga", '/override --reason "INCIDENT-7: the database is down"');
    await waitForVerdict(h, overridden, "success");
    const wait = 'policy="production-careful"';
    const after = await h.waitFor(async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      return metric(text, "flowgate_overrides_total", 'environment="production"') >
        metric(before, "flowgate_overrides_total", 'environment="production"')
        ? text
        : undefined;
    }, "the override to be counted");
    expect(metric(after, "flowgate_approval_wait_seconds_count", wait)).toBe(
      metric(before, "flowgate_approval_wait_seconds_count", wait) + 1,
    );
    expect(metric(after, "flowgate_overrides_total", 'environment="production"')).toBe(
      metric(before, "flowgate_overrides_total", 'environment="production"') + 1,
    );
    // At rest every queue reads zero waiting and active jobs (the gauge is refreshed periodically).
    await h.waitFor(async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      const lines = text.split("\n").filter((l) => l.startsWith("flowgate_queue_depth{"));
      const busy = lines.filter((l) => /state="(waiting|active)"/.test(l) && !l.endsWith(" 0"));
      return lines.length > 0 && busy.length === 0;
    }, "every queue to drain");
  });

  it("/healthz and /readyz reflect Redis and GitHub", async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ redis: true, github: true });
    await h.redis.kill();
    const down = await fetch(`${base}/healthz`);
    expect(down.status).toBe(503);
    await h.redis.restart();
    await h.waitFor(async () => (await fetch(`${base}/healthz`)).status === 200, "Redis to come back");
  });
});
