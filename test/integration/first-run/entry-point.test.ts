import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeGitHub } from "../../support/fake-github/index.js";
import { seedRepo } from "../../support/harness.js";
import { startRedis, type TestRedis } from "../../support/redis.js";
import { pullRequestEvent } from "../../support/webhooks.js";
import {
  cleanEnv,
  ENTRY,
  folderWith,
  freePort,
  probotEnvFile,
  processesMentioning,
  type Started,
  startProcess,
  until,
} from "./support.js";

const SECRET = "the-secret-the-setup-wrote";
const STACKS = `apiVersion: flowgate/v1
kind: Stack
metadata: { name: web }
spec: { kind: aws_s3, environment: production, dir: infra/web }
`;

/** redis-server shows itself as `redis-server 127.0.0.1:PORT`; the port is in flowgate's log. */
function localRedisTitle(output: string): string {
  const port = /started a local redis-server on redis:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1];
  if (!port) throw new Error(`no local redis-server in the output:\n${output}`);
  return `redis-server 127.0.0.1:${port}`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("the first run: npm start, register, start again (issue: the app never read .env)", () => {
  let gh: FakeGitHub;
  let redis: TestRedis;
  const started: Started[] = [];
  beforeAll(async () => {
    gh = new FakeGitHub({ appSlug: "flowgate", webhookSecret: SECRET });
    await gh.start();
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const s of started) if (s.child.pid && alive(s.child.pid)) process.kill(-s.child.pid, "SIGKILL");
    await gh.stop();
    await redis.stop();
  });

  function registeredEnv(port: number, extra: Record<string, string> = {}) {
    return probotEnvFile({
      WEBHOOK_PROXY_URL: "",
      APP_ID: String(gh.appId),
      PRIVATE_KEY: gh.privateKey,
      WEBHOOK_SECRET: SECRET,
      GITHUB_CLIENT_ID: "Iv1.0123456789abcdef",
      GITHUB_CLIENT_SECRET: "0123456789abcdef0123456789abcdef01234567",
      FLOWGATE_GITHUB_API_URL: gh.url,
      PORT: String(port),
      LOG_LEVEL: "info",
      ...extra,
    });
  }

  it("with only the .env the setup page writes, the real entry point runs flowgate and gates a PR", async () => {
    const port = await freePort();
    const dir = folderWith({ ".env": registeredEnv(port, { REDIS_URL: redis.url }) });
    const app = startProcess(process.execPath, [ENTRY], dir, cleanEnv());
    started.push(app);
    await until(() => app.output().includes("flowgate is running"), `flowgate to start:\n${app.output()}`);
    expect(app.output()).not.toContain("setup page");
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

    const repo = seedRepo(gh, { ".github/flowgate/stacks.yml": STACKS }, "first-run");
    const head = gh.commit(repo.fullName, "change", { "README.md": "# hello\n" });
    const pull = gh.openPull({ repo: repo.fullName, head: { ref: "change", sha: head }, user: "dev" });
    gh.setWebhookTarget(`http://127.0.0.1:${port}/api/github/webhooks`);
    const delivery = await gh.sendWebhook("pull_request", pullRequestEvent(gh, "opened", pull));
    expect(delivery.status).toBeLessThan(300);
    const check = await until(
      () =>
        gh
          .checkRuns(repo.fullName, { headSha: head, name: "flowgate" })
          .find((c) => c.status === "completed"),
      "the flowgate check",
    );
    expect(check?.conclusion).toBe("success");
    expect(check?.output.title).toBe("No stacks affected");

    app.child.kill("SIGTERM");
    expect(await app.exited).toBe(0);
  });

  it("a variable set in the environment wins over the same one in .env", async () => {
    const [filePort, envPort] = [await freePort(), await freePort()];
    const dir = folderWith({ ".env": registeredEnv(filePort, { REDIS_URL: redis.url }) });
    const app = startProcess(process.execPath, [ENTRY], dir, cleanEnv({ PORT: String(envPort) }));
    started.push(app);
    await until(() => app.output().includes("flowgate is running"), `flowgate to start:\n${app.output()}`);
    expect((await fetch(`http://127.0.0.1:${envPort}/healthz`)).status).toBe(200);
    await expect(fetch(`http://127.0.0.1:${filePort}/healthz`)).rejects.toThrow();
    app.child.kill("SIGTERM");
    await app.exited;
  });

  it("with an app id but no webhook secret it refuses to start and says what to set", async () => {
    const dir = folderWith({
      ".env": registeredEnv(await freePort(), { REDIS_URL: redis.url }).replace(/^WEBHOOK_SECRET=.*$/m, ""),
    });
    const app = startProcess(process.execPath, [ENTRY], dir, cleanEnv());
    started.push(app);
    expect(await app.exited).toBe(1);
    expect(app.output()).toContain("WEBHOOK_SECRET is not set");
    expect(app.output()).toContain("never runs with a default secret");
  });

  it("without an app id it serves Probot's setup page, whose manifest names no placeholder address", async () => {
    const port = await freePort();
    const dir = folderWith({});
    const app = startProcess(
      process.execPath,
      [ENTRY],
      dir,
      cleanEnv({ PORT: String(port), FLOWGATE_PUBLIC_URL: "https://flowgate.acme.test" }),
    );
    started.push(app);
    const page = await until(async () => {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/probot`);
        return res.ok ? await res.text() : undefined;
      } catch {
        return undefined;
      }
    }, `the setup page:\n${app.output()}`);
    const manifest = JSON.parse(/value='([^']*)'/.exec(page)![1]!) as Record<string, unknown>;
    expect(manifest.hook_attributes).toEqual({
      url: "https://flowgate.acme.test/api/github/webhooks",
      active: true,
    });
    expect(manifest.url).toBe("https://flowgate.acme.test");
    expect(manifest.callback_urls).toEqual(["https://flowgate.acme.test/console/callback"]);
    expect(JSON.stringify(manifest)).not.toContain("example.com");
    expect((manifest.default_permissions as Record<string, string>).workflows).toBe("write");
    app.child.kill("SIGTERM");
    await app.exited;
  });

  for (const how of ["Ctrl-C (SIGINT to the process group)", "SIGTERM to node"] as const) {
    it(`${how} stops flowgate, then its local Redis, leaving no process behind`, async () => {
      const port = await freePort();
      const dir = folderWith({ ".env": registeredEnv(port) }); // no REDIS_URL: a local redis-server
      const app = startProcess(process.execPath, [ENTRY], dir, cleanEnv());
      started.push(app);
      await until(() => app.output().includes("flowgate is running"), `flowgate to start:\n${app.output()}`);
      const redisTitle = localRedisTitle(app.output());
      expect(processesMentioning(redisTitle)).toHaveLength(1);
      const pid = app.child.pid!;
      if (how.startsWith("Ctrl-C")) process.kill(-pid, "SIGINT");
      else process.kill(pid, "SIGTERM");
      expect(await app.exited).toBe(0);
      await until(
        () => processesMentioning(redisTitle).length === 0,
        "the local redis-server to end",
        10_000,
      );
      expect(alive(pid)).toBe(false);
      expect(app.output()).toMatch(/SIG(INT|TERM): stopping/);
    });
  }

  it("a second Ctrl-C exits at once, and the local Redis still ends", async () => {
    const port = await freePort();
    const dir = folderWith({ ".env": registeredEnv(port) });
    const app = startProcess(process.execPath, [ENTRY], dir, cleanEnv());
    started.push(app);
    await until(() => app.output().includes("flowgate is running"), `flowgate to start:\n${app.output()}`);
    const redisTitle = localRedisTitle(app.output());
    process.kill(-app.child.pid!, "SIGINT");
    process.kill(-app.child.pid!, "SIGINT");
    const code = await app.exited;
    expect([0, 130]).toContain(code);
    await until(() => processesMentioning(redisTitle).length === 0, "the local redis-server to end", 10_000);
  });

  for (const how of ["SIGTERM to npm", "Ctrl-C (SIGINT to npm's process group)"] as const) {
    it(`\`npm start\`: ${how} stops flowgate and its local Redis, leaving no process behind`, async () => {
      const port = await freePort();
      const dir = folderWith({
        ".env": registeredEnv(port),
        "package.json": JSON.stringify({
          name: "flowgate-npm-start",
          private: true,
          scripts: { start: `node ${JSON.stringify(ENTRY)}` },
        }),
      });
      const npm = startProcess("npm", ["start"], dir, cleanEnv());
      started.push(npm);
      await until(() => npm.output().includes("flowgate is running"), `flowgate to start:\n${npm.output()}`);
      const nodePid = Number(/"pid":(\d+)/.exec(npm.output())?.[1]);
      const redisTitle = localRedisTitle(npm.output());
      expect(alive(nodePid)).toBe(true);
      if (how.startsWith("SIGTERM")) process.kill(npm.child.pid!, "SIGTERM");
      else process.kill(-npm.child.pid!, "SIGINT");
      await npm.exited;
      await until(() => !alive(nodePid), "flowgate's node process to end", 10_000);
      await until(
        () => processesMentioning(redisTitle).length === 0,
        "the local redis-server to end",
        10_000,
      );
    });
  }
});
