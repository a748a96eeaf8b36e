/**
 * The GitHub App's user authorization (web flow) and the user-to-server endpoints the console
 * needs: `/login/oauth/authorize` shows a consent page with one "Authorize as LOGIN" link per
 * person the fake knows, `/login/oauth/access_token` trades the code for a `ghu_` token, and
 * `/user`, `/user/installations`, `/user/installations/:id/repositories` answer for that person
 * with only the repositories they can read (a role other than `none`, or the owner).
 */
import { randomBytes } from "node:crypto";
import { error, type Reply } from "./router.js";
import type { RepoState, Store } from "./state.js";

export interface OAuthRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** the raw request body: JSON or form-encoded */
  raw: string;
  authorization: string | undefined;
}

export const FAKE_CLIENT_ID = "Iv1.fakeclient0000";
export const FAKE_CLIENT_SECRET = "fake-client-secret";

export class FakeOAuth {
  clientId = FAKE_CLIENT_ID;
  clientSecret = FAKE_CLIENT_SECRET;
  private readonly codes = new Map<string, { login: string; redirectUri: string }>();
  private readonly userTokens = new Map<string, string>();

  constructor(private readonly store: Store) {}

  /** A user-to-server token for `login`, as the web flow would give (API and CLI tests). */
  tokenFor(login: string): string {
    this.store.user(login);
    const token = `ghu_${randomBytes(18).toString("hex")}`;
    this.userTokens.set(token, login);
    return token;
  }

  /** Whether `login` can read `repo`, as GitHub decides for a user-to-server token. */
  canRead(repo: RepoState, login: string): boolean {
    if (repo.owner.login.toLowerCase() === login.toLowerCase()) return true;
    const role = repo.permissions.get(login.toLowerCase());
    return role !== undefined && role !== "none";
  }

  /** Answers the OAuth and `/user` paths; undefined for everything else. */
  handle(req: OAuthRequest): Reply | undefined {
    const { method, path, query } = req;
    if (method === "GET" && path === "/login/oauth/authorize") return this.consentPage(query);
    if (method === "GET" && path === "/login/oauth/_grant") return this.grant(query);
    if (method === "POST" && path === "/login/oauth/access_token") return this.exchange(req.raw);
    if (path === "/user" || path.startsWith("/user/")) {
      const login = this.userOf(req.authorization);
      if (!login) return undefined; // installation tokens and JWTs fall through to the normal routes
      return this.userRoute(method, path, login);
    }
    return undefined;
  }

  private userOf(header: string | undefined): string | undefined {
    const token = /^(?:bearer|token)\s+(ghu_\S+)$/i.exec(header?.trim() ?? "")?.[1];
    return token ? this.userTokens.get(token) : undefined;
  }

  private consentPage(query: URLSearchParams): Reply {
    if (query.get("client_id") !== this.clientId) return html(404, "<h1>Unknown client_id</h1>");
    const redirect = query.get("redirect_uri") ?? "";
    const state = query.get("state") ?? "";
    const people = [...this.store.users.values()].filter((u) => u.type === "User");
    const links = people
      .map((u) => {
        const q = new URLSearchParams({ login: u.login, redirect_uri: redirect, state });
        return `<li><a href="/login/oauth/_grant?${q}">Authorize as ${u.login}</a></li>`;
      })
      .join("");
    return html(200, `<h1>Authorize ${this.store.appSlug}</h1><ul>${links}</ul>`);
  }

  private grant(query: URLSearchParams): Reply {
    const login = query.get("login") ?? "";
    const redirectUri = query.get("redirect_uri") ?? "";
    const code = randomBytes(10).toString("hex");
    this.codes.set(code, { login, redirectUri });
    const target = new URL(redirectUri);
    target.searchParams.set("code", code);
    target.searchParams.set("state", query.get("state") ?? "");
    return { status: 302, headers: { location: target.toString() } };
  }

  private exchange(raw: string): Reply {
    let body: Record<string, string>;
    try {
      body = raw.trim().startsWith("{")
        ? (JSON.parse(raw) as Record<string, string>)
        : Object.fromEntries(new URLSearchParams(raw));
    } catch {
      return error(400, "Problems parsing JSON");
    }
    if (body.client_id !== this.clientId || body.client_secret !== this.clientSecret)
      return oauthError(
        "incorrect_client_credentials",
        "The client_id and/or client_secret passed are incorrect.",
      );
    const grant = this.codes.get(body.code ?? "");
    if (!grant) return oauthError("bad_verification_code", "The code passed is incorrect or expired.");
    this.codes.delete(body.code ?? "");
    return {
      status: 200,
      body: { access_token: this.tokenFor(grant.login), token_type: "bearer", scope: "" },
    };
  }

  private userRoute(method: string, path: string, login: string): Reply {
    if (method !== "GET") return error(404, "Not Found");
    const user = this.store.user(login);
    if (path === "/user") return { status: 200, body: { login: user.login, id: user.id, type: user.type } };
    const readable = [...this.store.repos.values()].filter((r) => this.canRead(r, login));
    if (path === "/user/installations") {
      const ids = new Set(readable.map((r) => r.installationId));
      const installations = [...ids].flatMap((id) => {
        const i = this.store.installations.get(id);
        return i ? [{ id: i.id, account: { login: i.account.login, type: i.account.type } }] : [];
      });
      return { status: 200, body: { total_count: installations.length, installations } };
    }
    const match = /^\/user\/installations\/(\d+)\/repositories$/.exec(path);
    if (match) {
      const repositories = readable
        .filter((r) => r.installationId === Number(match[1]))
        .map((r) => ({
          id: r.id,
          name: r.name,
          full_name: r.fullName,
          owner: { login: r.owner.login },
          private: r.private,
          default_branch: r.defaultBranch,
        }));
      return { status: 200, body: { total_count: repositories.length, repositories } };
    }
    return error(404, "Not Found");
  }
}

function html(status: number, body: string): Reply {
  return {
    status,
    raw: { bytes: `<!doctype html><html><body>${body}</body></html>`, contentType: "text/html" },
  };
}

/** GitHub answers OAuth errors with 200 and an `error` field. */
function oauthError(code: string, description: string): Reply {
  return {
    status: 200,
    body: { error: code, error_description: description, error_uri: "https://docs.github.com/apps" },
  };
}
