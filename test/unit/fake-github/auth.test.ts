import { Probot, ProbotOctokit } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import { makeAppKeys } from "../../support/fake-github/auth.js";
import { FakeGitHub } from "../../support/fake-github/index.js";
import { client, type Fixture, INSTALLATION, startFixture, statusOf } from "./setup.js";

let f: Fixture;
afterEach(() => f.gh.stop());

describe("app authentication", () => {
  it("lets Probot authenticate as the app with the fake's key and get an installation token", async () => {
    f = await startFixture();
    const probot = new Probot({
      appId: f.gh.appId,
      privateKey: f.gh.privateKey,
      baseUrl: f.url,
      logLevel: "fatal",
    });
    const app = await probot.auth();
    const { data: me } = await app.rest.apps.getAuthenticated();
    expect(me?.slug).toBe("flowgate");
    const { data: installations } = await app.rest.apps.listInstallations();
    expect(installations.map((i) => i.id)).toEqual([INSTALLATION]);

    const installation = await probot.auth(INSTALLATION);
    const { data: repo } = await installation.rest.repos.get({ owner: "acme", repo: "infra" });
    expect(repo.full_name).toBe("acme/infra");

    const tokenCall = f.gh.requests.find(
      (r) => r.path === `/app/installations/${INSTALLATION}/access_tokens`,
    );
    expect(tokenCall).toMatchObject({ method: "POST", status: 201, installationId: null });
    const repoCall = f.gh.requests.find((r) => r.path === "/repos/acme/infra");
    expect(repoCall).toMatchObject({ status: 200, installationId: INSTALLATION, charged: true });
  });

  it("refuses a JWT signed with another key once the fake's key is in use", async () => {
    f = await startFixture();
    void f.gh.privateKey;
    const stranger = new ProbotOctokit({
      auth: { appId: f.gh.appId, privateKey: makeAppKeys().privateKey },
      baseUrl: f.url,
      retry: { enabled: false },
    });
    expect(await statusOf(stranger.rest.apps.getAuthenticated())).toBe(401);
  });

  it("answers /repos/{o}/{r}/installation for the app and refuses installation tokens there", async () => {
    f = await startFixture();
    const probot = new Probot({
      appId: f.gh.appId,
      privateKey: f.gh.privateKey,
      baseUrl: f.url,
      logLevel: "fatal",
    });
    const app = await probot.auth();
    const { data } = await app.rest.apps.getRepoInstallation({ owner: "acme", repo: "infra" });
    expect(data.id).toBe(INSTALLATION);
    const refused = await fetch(`${f.url}/repos/acme/infra/installation`, {
      headers: { authorization: `token ${f.token}` },
    });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { message: string }).message).toBe(
      "A JSON web token could not be decoded",
    );
  });
});

describe("installation tokens", () => {
  it("answers 401 for unknown, missing and expired tokens", async () => {
    let clock = Date.parse("2026-03-01T10:00:00Z");
    f = await startFixture({ now: () => new Date(clock), tokenTtlMs: 60_000 });
    expect(
      await statusOf(client(f.url, "ghs_unknown").rest.repos.get({ owner: "acme", repo: "infra" })),
    ).toBe(401);
    expect((await fetch(`${f.url}/repos/acme/infra`)).status).toBe(401);
    const token = f.gh.issueToken(INSTALLATION);
    expect(await statusOf(client(f.url, token).rest.repos.get({ owner: "acme", repo: "infra" }))).toBe(0);
    clock += 61_000;
    expect(await statusOf(client(f.url, token).rest.repos.get({ owner: "acme", repo: "infra" }))).toBe(401);
  });

  it("hides repositories of other installations and outside a scoped token", async () => {
    f = await startFixture();
    f.gh.addRepo({ owner: "acme", name: "other", installationId: INSTALLATION });
    f.gh.addInstallation({ id: 99, account: { login: "globex", type: "Organization" } });
    f.gh.addRepo({ owner: "globex", name: "infra", installationId: 99 });
    expect(await statusOf(f.octokit.rest.repos.get({ owner: "globex", repo: "infra" }))).toBe(404);

    const probot = new Probot({
      appId: f.gh.appId,
      privateKey: f.gh.privateKey,
      baseUrl: f.url,
      logLevel: "fatal",
    });
    const app = await probot.auth();
    const { data } = await app.rest.apps.createInstallationAccessToken({
      installation_id: INSTALLATION,
      repositories: ["infra"],
    });
    expect(data.repositories?.map((r) => r.name)).toEqual(["infra"]);
    const scoped = client(f.url, data.token);
    expect(await statusOf(scoped.rest.repos.get({ owner: "acme", repo: "infra" }))).toBe(0);
    expect(await statusOf(scoped.rest.repos.get({ owner: "acme", repo: "other" }))).toBe(404);
    const { data: listed } = await scoped.rest.apps.listReposAccessibleToInstallation();
    expect(listed.repositories.map((r) => r.name)).toEqual(["infra"]);
  });

  it("requires an installation token for repository endpoints", async () => {
    f = await startFixture();
    const probot = new Probot({
      appId: f.gh.appId,
      privateKey: f.gh.privateKey,
      baseUrl: f.url,
      logLevel: "fatal",
    });
    const app = await probot.auth();
    const { token: jwt } = (await app.auth({ type: "app" })) as { token: string };
    const refused = await fetch(`${f.url}/repos/acme/infra`, { headers: { authorization: `bearer ${jwt}` } });
    expect(refused.status).toBe(403);
  });
});

describe("rate limit headers", () => {
  it("counts every answer per installation and refuses once the limit is used up", async () => {
    f = await startFixture({ rateLimit: 3 });
    const first = await f.octokit.rest.repos.get({ owner: "acme", repo: "infra" });
    expect(first.headers["x-ratelimit-limit"]).toBe("3");
    expect(first.headers["x-ratelimit-remaining"]).toBe("2");
    expect(first.headers["x-ratelimit-used"]).toBe("1");
    expect(first.headers["x-ratelimit-resource"]).toBe("core");
    expect(Number(first.headers["x-ratelimit-reset"])).toBeGreaterThan(Date.now() / 1000);
    await f.octokit.rest.repos.get({ owner: "acme", repo: "infra" });
    await f.octokit.rest.repos.get({ owner: "acme", repo: "infra" });
    const refused = await fetch(`${f.url}/repos/acme/infra`, {
      headers: { authorization: `token ${f.token}` },
    });
    expect(refused.status).toBe(403);
    expect(refused.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(((await refused.json()) as { message: string }).message).toMatch(/API rate limit exceeded/);
    expect(f.gh.countRequests({ charged: true })).toBe(3);
    f.gh.resetRateLimits();
    expect(await statusOf(f.octokit.rest.repos.get({ owner: "acme", repo: "infra" }))).toBe(0);
  });

  it("keeps separate buckets per installation", async () => {
    f = await startFixture({ rateLimit: 1 });
    f.gh.addInstallation({ id: 99, account: { login: "globex", type: "Organization" } });
    f.gh.addRepo({ owner: "globex", name: "infra", installationId: 99 });
    await f.octokit.rest.repos.get({ owner: "acme", repo: "infra" });
    const other = client(f.url, f.gh.issueToken(99));
    expect(await statusOf(other.rest.repos.get({ owner: "globex", repo: "infra" }))).toBe(0);
    expect(await statusOf(f.octokit.rest.repos.get({ owner: "acme", repo: "infra" }))).toBe(403);
  });
});

describe("usage errors", () => {
  it("throws on seeding mistakes instead of answering wrongly later", () => {
    const gh = new FakeGitHub();
    f = { gh } as Fixture;
    expect(() => gh.addRepo({ owner: "acme", name: "x" })).toThrow(/installationId/);
    gh.addInstallation({ id: 1, account: { login: "acme", type: "Organization" } });
    gh.addRepo({ owner: "acme", name: "x" });
    expect(() => gh.commit("acme/missing", "main", {})).toThrow(/no repository acme\/missing/);
    expect(() => gh.openPull({ repo: "acme/x", head: { ref: "nope" }, user: "alice" })).toThrow(
      /no ref nope/,
    );
  });
});
