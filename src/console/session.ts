/**
 * Console sessions: a random id in a signed, HttpOnly, SameSite=Lax cookie; the person's GitHub
 * token and the form token (CSRF) stay in Redis, so signing out ends the session everywhere.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Redis } from "ioredis";
import { keys } from "../state/keys.js";

export const SESSION_COOKIE = "flowgate_session";
export const STATE_COOKIE = "flowgate_oauth_state";

export interface Session {
  id: string;
  login: string;
  token: string;
  csrf: string;
}

const sessionKey = (id: string) => keys.consoleSession(id);

export class Sessions {
  constructor(
    private readonly redis: Redis,
    private readonly secret: string,
    private readonly ttlSeconds: number,
  ) {}

  sign(value: string): string {
    return `${value}.${createHmac("sha256", this.secret).update(value).digest("base64url")}`;
  }

  /** The value of a signed cookie, or undefined when the signature does not match. */
  unsign(signed: string | undefined): string | undefined {
    if (!signed) return undefined;
    const dot = signed.lastIndexOf(".");
    if (dot <= 0) return undefined;
    const value = signed.slice(0, dot);
    const expected = Buffer.from(this.sign(value));
    const given = Buffer.from(signed);
    return expected.length === given.length && timingSafeEqual(expected, given) ? value : undefined;
  }

  async create(login: string, token: string): Promise<Session> {
    const session = {
      id: randomBytes(24).toString("base64url"),
      login,
      token,
      csrf: randomBytes(24).toString("base64url"),
    };
    await this.redis.set(sessionKey(session.id), JSON.stringify(session), "EX", this.ttlSeconds);
    return session;
  }

  async fromRequest(req: IncomingMessage): Promise<Session | undefined> {
    const id = this.unsign(cookies(req)[SESSION_COOKIE]);
    if (!id) return undefined;
    const raw = await this.redis.get(sessionKey(id));
    return raw ? (JSON.parse(raw) as Session) : undefined;
  }

  async destroy(id: string): Promise<void> {
    await this.redis.del(sessionKey(id));
  }

  cookie(name: string, value: string, secure: boolean, maxAgeSeconds = this.ttlSeconds): string {
    const flags = [
      "Path=/",
      "HttpOnly",
      "SameSite=Lax",
      `Max-Age=${maxAgeSeconds}`,
      ...(secure ? ["Secure"] : []),
    ];
    return `${name}=${value === "" ? "" : this.sign(value)}; ${flags.join("; ")}`;
  }
}

export function cookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) out[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  return out;
}

/** Constant-time comparison of two form tokens. */
export function sameToken(a: string | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
