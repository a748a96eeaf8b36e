/**
 * The operator's allow-list of hosts verification probes may reach (`FLOWGATE_VERIFY_ALLOWED_HOSTS`), so that a
 * repository's policy cannot make the app probe the internal network. Entries are `host` (its scheme's default
 * port only) or `host:port`; IPv6 as `[::1]:9090`. Empty or unset: nothing is allowed.
 */
import type { Parsed } from "../config/types.js";

export const ALLOWED_HOSTS_SETTING = "FLOWGATE_VERIFY_ALLOWED_HOSTS";

export interface AllowedHost {
  /** lower case, without a trailing dot; IPv6 in brackets as URL.hostname gives it */
  host: string;
  /** absent: the default port of http (80) or https (443) */
  port?: number;
}

export type AllowedHosts = readonly AllowedHost[];

function normalizeHost(host: string): string {
  return host.toLowerCase().replace(/\.$/, "");
}

/** Parses the setting; an entry that is not a host or host:port makes the whole setting invalid (fail closed). */
export function parseAllowedHosts(setting: string | undefined): Parsed<AllowedHosts> {
  const entries = (setting ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e !== "");
  const hosts: AllowedHost[] = [];
  for (const entry of entries) {
    let url: URL;
    try {
      url = new URL(`http://${entry}`);
    } catch {
      return { ok: false, error: `${ALLOWED_HOSTS_SETTING}: "${entry}" is not a host or host:port` };
    }
    // Anything beyond host and port (a path, credentials, a wildcard) is refused rather than guessed at.
    if (
      url.username ||
      url.password ||
      url.pathname !== "/" ||
      url.search ||
      url.hash ||
      entry.includes("*")
    ) {
      return { ok: false, error: `${ALLOWED_HOSTS_SETTING}: "${entry}" is not a host or host:port` };
    }
    const explicitPort = /:\d+$/.test(entry);
    hosts.push({
      host: normalizeHost(url.hostname),
      ...(explicitPort ? { port: Number(url.port === "" ? 80 : url.port) } : {}),
    });
  }
  return { ok: true, value: hosts };
}

/** Why `url` may not be requested, or undefined when an entry allows it. Only http and https are ever allowed. */
export function refusalFor(url: URL, allowed: AllowedHosts): string | undefined {
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return `only http and https URLs are requested, not ${url.protocol}`;
  const host = normalizeHost(url.hostname);
  const defaultPort = url.protocol === "https:" ? 443 : 80;
  const port = url.port === "" ? defaultPort : Number(url.port);
  const ok = allowed.some((a) => a.host === host && (a.port ?? defaultPort) === port);
  if (ok) return undefined;
  const target = url.port === "" ? host : `${host}:${url.port}`;
  if (allowed.length === 0)
    return `host ${target} is not allowed: ${ALLOWED_HOSTS_SETTING} is empty, so verification may request no host`;
  return `host ${target} is not in ${ALLOWED_HOSTS_SETTING}; an operator must allow it`;
}
