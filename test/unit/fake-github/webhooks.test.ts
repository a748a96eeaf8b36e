import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createNodeMiddleware, Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  checkRunRequestedActionEvent,
  deploymentProtectionRuleEvent,
  installationEvent,
  issueCommentEvent,
  mergeGroupEvent,
  pullRequestEvent,
  pushEvent,
  reviewEvent,
} from "../../support/webhooks.js";
import { captureWebhooks, type Fixture, INSTALLATION, startFixture } from "./setup.js";

let f: Fixture;
beforeEach(async () => {
  f = await startFixture();
});
afterEach(() => f.gh.stop());

const repo = { owner: "acme", repo: "infra" };

function openChange() {
  const sha = f.gh.commit("acme/infra", "change", { "infra/prod/db/main.tf": "new\n" }, "change", {
    author: "alice",
  });
  return f.gh.openPull({
    repo: "acme/infra",
    head: { ref: "change", sha },
    user: "alice",
    labels: ["infra"],
  });
}

describe("payload builders", () => {
  it("pull_request carries what the API answers about the same pull", async () => {
    const pull = openChange();
    const { before, after } = f.gh.pushToPull("acme/infra", pull.number, { "b.tf": "b\n" });
    const payload = pullRequestEvent(f.gh, "synchronize", pull, { before, after });
    const { data } = await f.octokit.rest.pulls.get({ ...repo, pull_number: pull.number });
    expect(payload).toMatchObject({
      action: "synchronize",
      number: pull.number,
      before,
      after,
      installation: { id: INSTALLATION },
    });
    const sent = payload.pull_request as Record<string, unknown>;
    for (const key of [
      "id",
      "node_id",
      "number",
      "head",
      "base",
      "user",
      "labels",
      "draft",
      "state",
      "merged",
    ]) {
      expect(sent[key], key).toEqual((data as Record<string, unknown>)[key]);
    }
    expect(payload.repository).toMatchObject({ full_name: "acme/infra", owner: { login: "acme" } });
    expect(payload.organization).toMatchObject({ login: "acme" });
    expect(payload.sender).toMatchObject({ login: "alice" });
  });

  it("issue_comment adds the comment to the fake so the app can react to it", async () => {
    const pull = openChange();
    const payload = issueCommentEvent(f.gh, pull, { login: "bob", body: "/approve db" });
    const comment = payload.comment as { id: number; body: string; user: { login: string; type: string } };
    expect(comment).toMatchObject({ body: "/approve db", user: { login: "bob", type: "User" } });
    expect((payload.issue as { pull_request?: unknown; number: number }).number).toBe(pull.number);
    expect((payload.issue as { pull_request?: { url?: string } }).pull_request?.url).toMatch(
      new RegExp(`/pulls/${pull.number}$`),
    );
    const { data } = await f.octokit.rest.issues.getComment({ ...repo, comment_id: comment.id });
    expect(data.body).toBe("/approve db");
    const bot = issueCommentEvent(f.gh, pull, { login: "renovate[bot]", body: "/approve", userType: "Bot" });
    expect((bot.comment as { user: { type: string } }).user.type).toBe("Bot");
  });

  it("pull_request_review records the review with its commit and spells the state in lower case", async () => {
    const pull = openChange();
    const payload = reviewEvent(f.gh, pull, { login: "carol", state: "CHANGES_REQUESTED" });
    expect(payload.review).toMatchObject({
      state: "changes_requested",
      commit_id: pull.head.sha,
      user: { login: "carol" },
    });
    const { data } = await f.octokit.rest.pulls.listReviews({ ...repo, pull_number: pull.number });
    expect(data.map((r) => [r.state, r.id])).toEqual([
      ["CHANGES_REQUESTED", (payload.review as { id: number }).id],
    ]);
  });

  it("check_run requested_action names the button and the clicker", async () => {
    const pull = openChange();
    const { data } = await f.octokit.rest.checks.create({
      ...repo,
      name: "flowgate/plan: db",
      head_sha: pull.head.sha,
    });
    const run = f.gh.checkRuns("acme/infra").find((r) => r.id === data.id);
    if (!run) throw new Error("check run missing");
    const payload = checkRunRequestedActionEvent(f.gh, run, { login: "dave", identifier: "approve" });
    expect(payload).toMatchObject({
      action: "requested_action",
      requested_action: { identifier: "approve" },
      sender: { login: "dave" },
      check_run: { id: data.id, head_sha: pull.head.sha, pull_requests: [{ number: pull.number }] },
    });
  });

  it("push lists the pushed commits with their files", () => {
    const r = f.gh.repo("acme/infra");
    const before = r.branches.get("main") ?? "";
    const one = f.gh.commit("acme/infra", "main", { "x.tf": "x\n" }, "one");
    const two = f.gh.commit("acme/infra", "main", { "x.tf": null, "y.tf": "y\n" }, "two");
    const payload = pushEvent(f.gh, r, { before, after: two });
    expect(payload).toMatchObject({
      ref: "refs/heads/main",
      before,
      after: two,
      created: false,
      deleted: false,
    });
    const commits = payload.commits as { id: string; added: string[]; removed: string[] }[];
    expect(commits.map((c) => [c.id, c.added, c.removed])).toEqual([
      [one, ["x.tf"], []],
      [two, ["y.tf"], ["x.tf"]],
    ]);
    expect((payload.head_commit as { id: string }).id).toBe(two);
    expect(typeof (payload.repository as { pushed_at: unknown }).pushed_at).toBe("number");
  });

  it("merge_group points at the queue branch built from the pulls", () => {
    const pull = openChange();
    const group = f.gh.createMergeGroup("acme/infra", { pulls: [pull] });
    const payload = mergeGroupEvent(f.gh, f.gh.repo("acme/infra"), {
      headSha: group.headSha,
      baseRef: "main",
      pulls: [pull],
    });
    expect(payload.merge_group).toMatchObject({
      head_sha: group.headSha,
      head_ref: `refs/heads/${group.headRef}`,
      base_sha: group.baseSha,
      base_ref: "refs/heads/main",
    });
    expect(f.gh.repo("acme/infra").commits.get(group.headSha)?.files.get("infra/prod/db/main.tf")).toBe(
      "new\n",
    );
  });

  it("installation and deployment_protection_rule", async () => {
    const installed = installationEvent(f.gh, "created", INSTALLATION);
    expect(installed).toMatchObject({
      action: "created",
      installation: { id: INSTALLATION, account: { login: "acme" } },
    });
    expect((installed.repositories as { full_name: string }[]).map((r) => r.full_name)).toEqual([
      "acme/infra",
    ]);
    f.gh.addWorkflow("acme/infra", "flowgate.yml");
    await f.octokit.rest.actions.createWorkflowDispatch({
      ...repo,
      workflow_id: "flowgate.yml",
      ref: "main",
      inputs: { job_id: "j", stack: "db", operation: "apply", sha: "s", path: "p", refresh: "true" },
    });
    const run = f.gh.runs("acme/infra")[0];
    if (!run) throw new Error("no run");
    const rule = deploymentProtectionRuleEvent(f.gh, run, { environment: "production" });
    expect(rule.deployment_callback_url).toBe(
      `${f.url}/repos/acme/infra/actions/runs/${run.id}/deployment_protection_rule`,
    );
  });
});

describe("webhook delivery", () => {
  let server: Server;
  let target: string;
  const received: { name: string; number: unknown; repo: string }[] = [];

  beforeEach(async () => {
    received.length = 0;
    const probot = new Probot({
      appId: f.gh.appId,
      privateKey: f.gh.privateKey,
      secret: "s3cret",
      baseUrl: f.url,
      logLevel: "fatal",
    });
    const middleware = await createNodeMiddleware(
      (app) => {
        app.on("pull_request", async (context) => {
          // the app's own Octokit reaches the fake with an installation token it got by JWT
          const { data } = await context.octokit.rest.repos.get(context.repo());
          received.push({ name: context.name, number: context.payload.number, repo: data.full_name });
        });
      },
      { probot },
    );
    server = createServer((req, res) => {
      void middleware(req, res, () => {
        res.writeHead(404);
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`;
    f.gh.setWebhookTarget(target);
  });
  afterEach(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );

  it("is accepted by Probot when signed, refused when unsigned or wrongly signed", async () => {
    const pull = openChange();
    const payload = pullRequestEvent(f.gh, "opened", pull);
    const ok = await f.gh.sendWebhook("pull_request", payload);
    expect(ok.status).toBe(200);
    expect(received).toEqual([{ name: "pull_request", number: pull.number, repo: "acme/infra" }]);
    expect((await f.gh.sendWebhook("pull_request", payload, { signature: "wrong" })).status).toBe(400);
    expect((await f.gh.sendWebhook("pull_request", payload, { signature: "missing" })).status).toBe(400);
    expect(received).toHaveLength(1);
    expect(f.gh.deliveries.map((d) => [d.event, d.action, d.status])).toEqual([
      ["pull_request", "opened", 200],
      ["pull_request", "opened", 400],
      ["pull_request", "opened", 400],
    ]);
  });

  it("sends the headers GitHub sends, with the delivery id given or a UUID", async () => {
    const hooks = await captureWebhooks();
    f.gh.setWebhookTarget(hooks.url);
    try {
      const payload = pullRequestEvent(f.gh, "opened", openChange());
      const result = await f.gh.sendWebhook("pull_request", payload, { deliveryId: "d-1" });
      await f.gh.sendWebhook("pull_request", payload);
      expect(result).toMatchObject({ status: 202, deliveryId: "d-1" });
      expect(result.durationMs).toBeGreaterThanOrEqual(0);
      const [first, second] = hooks.received;
      expect(first?.headers).toMatchObject({
        "x-github-event": "pull_request",
        "x-github-delivery": "d-1",
        "content-type": "application/json",
      });
      expect(first?.headers["x-github-hook-id"]).toMatch(/^\d+$/);
      expect(second?.headers["x-github-delivery"]).toMatch(/^[0-9a-f-]{36}$/);
      expect(first?.body).toBe(JSON.stringify(payload));
    } finally {
      await hooks.close();
    }
  });

  it("reports a refused connection as status 0 instead of throwing", async () => {
    f.gh.setWebhookTarget("http://127.0.0.1:1/nowhere");
    const result = await f.gh.sendWebhook("ping", { zen: "x" });
    expect(result.status).toBe(0);
    expect(result.error).toBeTruthy();
  });
});
