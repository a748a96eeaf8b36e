/**
 * Who is calling: an app JWT (`Bearer <jwt>`) or an installation token this fake issued
 * (`token ghs_…` or `Bearer ghs_…`). Unknown or expired tokens answer 401 like GitHub.
 */
import { createPublicKey, generateKeyPairSync, type KeyObject, randomBytes, verify } from "node:crypto";
import type { Caller } from "./router.js";
import type { Store, TokenState } from "./state.js";

export type AuthResult = { ok: true; caller: Caller } | { ok: false; message: string };

export interface JwtPolicy {
  appId: number;
  /** when set, the JWT's RS256 signature must verify with this key */
  publicKey: KeyObject | null;
}

const UNDECODABLE = "A JSON web token could not be decoded";

export function authenticate(
  store: Store,
  header: string | undefined,
  now: Date,
  jwt: JwtPolicy,
): AuthResult {
  if (!header) return { ok: false, message: "Requires authentication" };
  const match = /^(bearer|token)\s+(\S+)$/i.exec(header.trim());
  if (!match?.[2]) return { ok: false, message: "Bad credentials" };
  const credential = match[2];
  if (credential.split(".").length === 3) return checkJwt(credential, now, jwt);
  const token = store.tokens.get(credential);
  if (!token || token.expiresAt <= now.getTime()) return { ok: false, message: "Bad credentials" };
  return {
    ok: true,
    caller: {
      kind: "installation",
      installationId: token.installationId,
      repositoryIds: token.repositoryIds,
    },
  };
}

function checkJwt(credential: string, now: Date, policy: JwtPolicy): AuthResult {
  const [headerPart, payloadPart, signaturePart] = credential.split(".") as [string, string, string];
  const header = decodeJson(headerPart);
  const payload = decodeJson(payloadPart);
  if (!header || !payload || header.alg !== "RS256") return { ok: false, message: UNDECODABLE };
  if (String(payload.iss) !== String(policy.appId)) return { ok: false, message: UNDECODABLE };
  const seconds = Math.floor(now.getTime() / 1000);
  if (typeof payload.exp !== "number" || payload.exp <= seconds) {
    return {
      ok: false,
      message:
        "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
    };
  }
  // GitHub accepts JWTs that live at most 10 minutes
  if (payload.exp > seconds + 600 + 60)
    return { ok: false, message: "'Expiration time' claim ('exp') is too far in the future" };
  if (typeof payload.iat !== "number" || payload.iat > seconds + 60) {
    return {
      ok: false,
      message:
        "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
    };
  }
  if (policy.publicKey) {
    const signed = Buffer.from(`${headerPart}.${payloadPart}`);
    const signature = Buffer.from(signaturePart, "base64url");
    if (!verify("RSA-SHA256", signed, policy.publicKey, signature))
      return { ok: false, message: UNDECODABLE };
  }
  return { ok: true, caller: { kind: "app" } };
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function issueToken(
  store: Store,
  installationId: number,
  expiresAt: number,
  repositoryIds: Set<number> | null,
): TokenState {
  const token: TokenState = {
    token: `ghs_${randomBytes(27).toString("base64url").slice(0, 36)}`,
    installationId,
    expiresAt,
    repositoryIds,
  };
  store.tokens.set(token.token, token);
  return token;
}

/** A fresh RSA key pair: hand `privateKey` to Probot (`PRIVATE_KEY`) and the fake can verify its JWTs. */
export function makeAppKeys(): { privateKey: string; publicKey: KeyObject } {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    publicKey: createPublicKey(privateKey),
  };
}
