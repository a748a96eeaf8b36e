import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PlannedHttpCheck, planCheck } from "../../../src/engine/verification.js";
import { parseAllowedHosts } from "../../../src/verify/allowed-hosts.js";
import { runProbe } from "../../../src/verify/probe.js";
import type { ProbeContext } from "../../../src/verify/types.js";
import { json, startServer, type TestServer } from "./servers.js";

let api: TestServer;
let other: TestServer;

beforeAll(async () => {
  api = await startServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/healthz") return json(res, 200, { status: "ok", replicas: 3 });
    if (path === "/degraded") return json(res, 200, { status: "degraded" });
    if (path === "/down") return json(res, 503, { status: "down" });
    if (path === "/text") {
      res.writeHead(200, { "content-type": "text/plain" });
      return res.end("OK");
    }
    if (path === "/slow") {
      setTimeout(() => json(res, 200, { status: "ok" }), 2000).unref();
      return;
    }
    if (path === "/huge") {
      // Streamed without a length: the reader must stop on its own.
      res.writeHead(200, { "content-type": "application/json" });
      const chunk = Buffer.alloc(64 * 1024, "a");
      let sent = 0;
      const push = () => {
        while (sent < 4 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return res.once("drain", push);
        }
        res.end();
      };
      res.on("error", () => undefined);
      return push();
    }
    if (path === "/declared-huge") {
      res.writeHead(200, { "content-length": String(8 * 1024 * 1024) });
      return res.end();
    }
    if (path === "/redirect") {
      res.writeHead(302, { location: `http://${other.host}/healthz` });
      return res.end();
    }
    if (path === "/echo") return json(res, 200, { path: req.url, auth: req.headers.authorization ?? null });
    json(res, 404, {});
  });
  other = await startServer((_req, res) => json(res, 200, { status: "ok" }));
});

afterAll(async () => {
  await api.close();
  await other.close();
});

function check(http: Record<string, unknown>): PlannedHttpCheck {
  const planned = planCheck({ http: { url: "", ...http } as never }, 0);
  if (!planned.ok || planned.value.kind !== "http") throw new Error("bad check");
  return planned.value;
}

/** `${env.NAME}`, written without tripping the lint on template-like strings. */
const ref = (name: string) => `\${env.${name}}`;

function context(allowed: string, env: Record<string, string> = {}): ProbeContext {
  const hosts = parseAllowedHosts(allowed);
  if (!hosts.ok) throw new Error(hosts.error);
  return { allowedHosts: hosts.value, env };
}

describe("http probe", () => {
  it("passes on the expected status and a condition over the JSON body", async () => {
    const result = await runProbe(
      check({ url: `http://${api.host}/healthz`, condition: "body.status == 'ok' && body.replicas >= 3" }),
      context(api.host),
    );
    expect(result).toMatchObject({
      ok: true,
      reason: "status 200 and body.status == 'ok' && body.replicas >= 3 holds",
      observed: { target: `http://${api.host}/healthz`, status: 200, contentType: "application/json" },
    });
  });

  it("fails on a wrong status, naming both", async () => {
    const result = await runProbe(check({ url: `http://${api.host}/down` }), context(api.host));
    expect(result).toMatchObject({
      ok: false,
      reason: "status 503, expected 200",
      observed: { status: 503 },
    });
    expect(result.permanent).toBeUndefined();
  });

  it("fails when the condition does not hold, or the body is not JSON", async () => {
    const degraded = await runProbe(
      check({ url: `http://${api.host}/degraded`, condition: "body.status == 'ok'" }),
      context(api.host),
    );
    expect(degraded).toMatchObject({ ok: false, reason: "the condition does not hold: body.status == 'ok'" });
    const text = await runProbe(
      check({ url: `http://${api.host}/text`, condition: "body.ok" }),
      context(api.host),
    );
    expect(text).toMatchObject({
      ok: false,
      reason: "the condition reads body, but the response is not JSON",
    });
  });

  it("gives up after the request's timeout", async () => {
    const started = Date.now();
    const result = await runProbe(
      check({ url: `http://${api.host}/slow`, timeout: "1s" }),
      context(api.host),
    );
    expect(result).toMatchObject({ ok: false, reason: "no answer within 1s" });
    expect(Date.now() - started).toBeLessThan(1900);
  });

  it("stops reading a body beyond the size limit, declared or not", async () => {
    const streamed = await runProbe(check({ url: `http://${api.host}/huge` }), context(api.host));
    expect(streamed).toMatchObject({ ok: false, reason: "the response is larger than 1048576 bytes" });
    const declared = await runProbe(check({ url: `http://${api.host}/declared-huge` }), context(api.host));
    expect(declared).toMatchObject({
      ok: false,
      reason: "the response is larger than 1048576 bytes (8388608 declared)",
    });
  });

  it("refuses a host that is not allowed, and that server never receives a request", async () => {
    const before = other.requests.length;
    const result = await runProbe(check({ url: `http://${other.host}/healthz` }), context(api.host));
    expect(result).toEqual({
      ok: false,
      reason: `not requested: host ${other.host} is not in FLOWGATE_VERIFY_ALLOWED_HOSTS; an operator must allow it`,
      observed: { target: `http://${other.host}/healthz` },
      permanent: true,
    });
    const empty = await runProbe(check({ url: `http://${other.host}/healthz` }), context(""));
    expect(empty.reason).toMatch(
      /FLOWGATE_VERIFY_ALLOWED_HOSTS is empty, so verification may request no host/,
    );
    expect(other.requests.length).toBe(before);
  });

  it("refuses an IP literal the list does not name, even for the same machine", async () => {
    const result = await runProbe(
      check({ url: `http://127.0.0.1:${api.port}/healthz` }),
      context(`localhost:${api.port}`),
    );
    expect(result.reason).toBe(
      `not requested: host 127.0.0.1:${api.port} is not in FLOWGATE_VERIFY_ALLOWED_HOSTS; an operator must allow it`,
    );
    // A host without a port allows only the scheme's default port.
    const defaultPort = await runProbe(
      check({ url: `http://127.0.0.1:${api.port}/healthz` }),
      context("127.0.0.1"),
    );
    expect(defaultPort.ok).toBe(false);
  });

  it("does not follow a redirect: the 3xx is the answer and the other host gets nothing", async () => {
    const before = other.requests.length;
    const result = await runProbe(
      check({ url: `http://${api.host}/redirect` }),
      context(`${api.host},${other.host}`),
    );
    expect(result).toMatchObject({
      ok: false,
      reason: "status 302, expected 200; redirects are not followed",
    });
    expect(other.requests.length).toBe(before);
  });

  it("fills env references into the URL and headers from the app's environment; reports show the URL as written", async () => {
    const env = { FLOWGATE_VERIFY_HOST: api.host, FLOWGATE_VERIFY_TOKEN: "s3cret" };
    const url = `http://${ref("FLOWGATE_VERIFY_HOST")}/echo?key=${ref("FLOWGATE_VERIFY_TOKEN")}`;
    const result = await runProbe(
      check({
        url,
        headers: { Authorization: `Bearer ${ref("FLOWGATE_VERIFY_TOKEN")}` },
        condition: "body.auth != null",
      }),
      context(api.host, env),
    );
    expect(result.ok).toBe(true);
    expect(api.requests.at(-1)).toMatchObject({
      url: "/echo?key=s3cret",
      headers: { authorization: "Bearer s3cret", "user-agent": "flowgate-verify" },
    });
    expect(result.observed.target).toBe(url);
    expect(JSON.stringify(result)).not.toContain("s3cret");
  });

  it("an unknown variable is an error that names it, and nothing is requested", async () => {
    const before = api.requests.length;
    const result = await runProbe(
      check({
        url: `http://${api.host}/echo`,
        headers: { Authorization: `Bearer ${ref("FLOWGATE_VERIFY_MISSING")}` },
      }),
      context(api.host),
    );
    expect(result).toMatchObject({
      ok: false,
      reason:
        "not requested: header Authorization: the environment variable FLOWGATE_VERIFY_MISSING is not set in the app",
      permanent: true,
    });
    const other = await runProbe(
      check({ url: `http://${ref("PRIVATE_KEY")}/` }),
      context(api.host, { PRIVATE_KEY: "x" }),
    );
    expect(other.reason).toMatch(/\$\{env.PRIVATE_KEY\} cannot be read: .* FLOWGATE_VERIFY_\*/);
    expect(api.requests.length).toBe(before);
  });
});
