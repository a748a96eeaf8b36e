/**
 * Who a person is and what they may see, as GitHub says with their user-to-server token: the
 * installations and repositories `GET /user/installations` lists. Cached briefly in Redis (keyed
 * by a hash of the token) so a page does not cost GitHub calls each time.
 */
import { createHash } from "node:crypto";
import { exchangeWebFlowCode, getWebFlowAuthorizationUrl } from "@octokit/oauth-methods";
import { request as octokitRequest } from "@octokit/request";
import type { Redis } from "ioredis";
import { keys } from "../state/keys.js";
import type { RepoInfo } from "../webhooks/events.js";

export interface Person {
  login: string;
  /** repositories the person can read, by `owner/name` (lower case) */
  repos: Map<string, RepoInfo>;
  /** GitHub's web address for links (github.com, or the GHES host) */
  webUrl: string;
}

/** api.github.com → github.com; a GHES `https://host/api/v3` → `https://host`; a test fake stays as it is. */
export function webUrlOf(apiBase: string): string {
  if (/^https:\/\/api\.github\.com\/?$/.test(apiBase)) return "https://github.com";
  return apiBase.replace(/\/api\/v3\/?$/, "").replace(/\/+$/, "");
}

export class GitHubIdentity {
  private readonly request: typeof octokitRequest;
  private readonly webUrl: string;

  constructor(
    private readonly redis: Redis,
    baseUrl: string,
    private readonly ttlSeconds: number,
  ) {
    this.webUrl = webUrlOf(baseUrl);
    this.request = octokitRequest.defaults({ baseUrl, headers: { "user-agent": "flowgate-console" } });
  }

  authorizeUrl(clientId: string, redirectUrl: string, state: string): string {
    return getWebFlowAuthorizationUrl({
      clientType: "github-app",
      clientId,
      redirectUrl,
      state,
      request: this.request,
    }).url;
  }

  async exchange(clientId: string, clientSecret: string, code: string, redirectUrl: string): Promise<string> {
    const { authentication } = await exchangeWebFlowCode({
      clientType: "github-app",
      clientId,
      clientSecret,
      code,
      redirectUrl,
      request: this.request,
    });
    return authentication.token;
  }

  /** The person behind a token, or undefined when GitHub does not accept it. */
  async person(token: string): Promise<Person | undefined> {
    const key = keys.consoleIdentity(createHash("sha256").update(token).digest("hex"));
    const cached = await this.redis.get(key);
    if (cached) {
      const c = JSON.parse(cached) as { login: string; repos: RepoInfo[] };
      return { login: c.login, repos: new Map(c.repos.map((r) => [repoName(r), r])), webUrl: this.webUrl };
    }
    const auth = { headers: { authorization: `token ${token}` } };
    let login: string;
    try {
      login = (await this.request("GET /user", auth)).data.login;
    } catch (error) {
      if ((error as { status?: number }).status === 401) return undefined;
      throw error;
    }
    const repos: RepoInfo[] = [];
    const installations = await this.pages(auth, "GET /user/installations", {}, "installations");
    for (const installation of installations as { id: number }[]) {
      const list = await this.pages(
        auth,
        "GET /user/installations/{installation_id}/repositories",
        { installation_id: installation.id },
        "repositories",
      );
      for (const r of list as {
        id: number;
        name: string;
        owner: { login: string };
        private: boolean;
        default_branch?: string;
      }[]) {
        repos.push({
          installationId: installation.id,
          owner: r.owner.login,
          repo: r.name,
          repoId: r.id,
          private: r.private,
          defaultBranch: r.default_branch ?? "main",
        });
      }
    }
    await this.redis.set(key, JSON.stringify({ login, repos }), "EX", this.ttlSeconds);
    return { login, repos: new Map(repos.map((r) => [repoName(r), r])), webUrl: this.webUrl };
  }

  private async pages(
    auth: { headers: Record<string, string> },
    route: string,
    params: Record<string, unknown>,
    field: string,
  ): Promise<unknown[]> {
    const out: unknown[] = [];
    for (let page = 1; page <= 50; page++) {
      const { data } = await this.request(route, { ...auth, ...params, per_page: 100, page });
      const items = ((data as Record<string, unknown>)[field] ?? []) as unknown[];
      out.push(...items);
      if (items.length < 100) break;
    }
    return out;
  }
}

export function repoName(r: { owner: string; repo: string }): string {
  return `${r.owner}/${r.repo}`.toLowerCase();
}
