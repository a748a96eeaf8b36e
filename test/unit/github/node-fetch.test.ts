import http from "node:http";
import type { AddressInfo } from "node:net";
import zlib from "node:zlib";
import { Octokit } from "@octokit/core";
import { RequestError } from "@octokit/request-error";
import { afterEach, describe, expect, it } from "vitest";
import { nodeFetch } from "../../../src/github/node-fetch.js";

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

type Handler = (seen: Seen, res: http.ServerResponse) => void;
const servers: http.Server[] = [];

/** A local server that records what it was sent and answers with `handler`. */
async function serve(handler: Handler): Promise<{ origin: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const entry = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
      seen.push(entry);
      handler(entry, res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

const json = (
  res: http.ServerResponse,
  status: number,
  data: unknown,
  headers: Record<string, string> = {},
) => {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify(data));
};

describe("nodeFetch: the fetch Octokit is given", () => {
  it("sends method, headers and body, and answers with status, headers and the body as text and bytes", async () => {
    const { origin, seen } = await serve((_, res) =>
      json(res, 201, { id: 7 }, { etag: '"v1"', "x-ratelimit-remaining": "4999" }),
    );
    const response = await nodeFetch(`${origin}/repos/o/r/check-runs`, {
      method: "POST",
      headers: { authorization: "token t", "content-type": "application/json" },
      body: JSON.stringify({ name: "flowgate" }),
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      method: "POST",
      url: "/repos/o/r/check-runs",
      body: '{"name":"flowgate"}',
    });
    expect(seen[0]?.headers).toMatchObject({ authorization: "token t", "content-length": "19" });
    expect(response.status).toBe(201);
    expect(response.url).toBe(`${origin}/repos/o/r/check-runs`);
    expect(response.headers.get("etag")).toBe('"v1"');
    expect([...response.headers].some(([k, v]) => k === "x-ratelimit-remaining" && v === "4999")).toBe(true);
    expect(await response.json()).toEqual({ id: 7 });
    expect(new TextDecoder().decode(await response.arrayBuffer())).toBe('{"id":7}');
  });

  it("follows a redirect to another origin without the Authorization header, as fetch does", async () => {
    const blob = await serve((_, res) => {
      res.writeHead(200, { "content-type": "application/zip" });
      res.end(Buffer.from([0x50, 0x4b, 3, 4]));
    });
    const api = await serve((_, res) => {
      res.writeHead(302, { location: `${blob.origin}/signed/artifact.zip?sig=x` });
      res.end();
    });
    const response = await nodeFetch(`${api.origin}/repos/o/r/actions/artifacts/1/zip`, {
      headers: { authorization: "token secret", accept: "application/vnd.github+json" },
    });
    expect(response.status).toBe(200);
    expect(response.url).toBe(`${blob.origin}/signed/artifact.zip?sig=x`);
    expect([...new Uint8Array(await response.arrayBuffer())]).toEqual([0x50, 0x4b, 3, 4]);
    expect(api.seen[0]?.headers.authorization).toBe("token secret");
    expect(blob.seen[0]?.headers.authorization).toBeUndefined();
    expect(blob.seen[0]?.headers.accept).toBe("application/vnd.github+json");
  });

  it("keeps the Authorization header and the method on a same-origin 307, and turns a POST into a GET on a 303", async () => {
    const { origin, seen } = await serve((entry, res) => {
      if (entry.url === "/moved") return void res.writeHead(307, { location: "/here" }).end();
      if (entry.url === "/see-other") return void res.writeHead(303, { location: "/here" }).end();
      json(res, 200, { method: entry.method });
    });
    const init = {
      method: "POST",
      headers: { authorization: "token t", "content-type": "application/json" },
      body: "{}",
    };
    expect(await (await nodeFetch(`${origin}/moved`, init)).json()).toEqual({ method: "POST" });
    expect(seen[1]).toMatchObject({ method: "POST", body: "{}" });
    expect(seen[1]?.headers.authorization).toBe("token t");
    expect(await (await nodeFetch(`${origin}/see-other`, init)).json()).toEqual({ method: "GET" });
    expect(seen[3]).toMatchObject({ method: "GET", body: "" });
    expect(seen[3]?.headers["content-type"]).toBeUndefined();
  });

  it("stops after five redirects, and hands back a redirect untouched when asked to", async () => {
    const { origin, seen } = await serve((_, res) => void res.writeHead(302, { location: "/again" }).end());
    await expect(nodeFetch(`${origin}/loop`)).rejects.toThrow(/more than 5 redirects/);
    expect(seen).toHaveLength(6);
    const manual = await nodeFetch(`${origin}/loop`, { redirect: "manual" });
    expect(manual.status).toBe(302);
    expect(manual.headers.get("location")).toBe("/again");
  });

  it("sends a body with characters beyond ASCII whole, its length counted in bytes", async () => {
    const { origin, seen } = await serve((_, res) => json(res, 200, {}));
    const body = JSON.stringify({ body: "### flowgate ⏳ Waiting — é 🚀" });
    await nodeFetch(`${origin}/repos/o/r/issues/1/comments`, { method: "POST", body });
    expect(seen[0]?.body).toBe(body);
    expect(seen[0]?.headers["content-length"]).toBe(String(Buffer.byteLength(body)));
  });

  it("decodes a compressed answer, as fetch does, and refuses an encoding it cannot read", async () => {
    const { origin } = await serve((entry, res) => {
      const text = JSON.stringify({ via: entry.url });
      if (entry.url === "/gzip") res.writeHead(200, { "content-encoding": "gzip" }).end(zlib.gzipSync(text));
      else if (entry.url === "/br")
        res.writeHead(200, { "content-encoding": "br" }).end(zlib.brotliCompressSync(text));
      else res.writeHead(200, { "content-encoding": "zstd-of-the-future" }).end(text);
    });
    const gz = await nodeFetch(`${origin}/gzip`);
    expect(await gz.json()).toEqual({ via: "/gzip" });
    expect(gz.headers.has("content-encoding")).toBe(false);
    expect(await (await nodeFetch(`${origin}/br`)).json()).toEqual({ via: "/br" });
    await expect(nodeFetch(`${origin}/odd`)).rejects.toMatchObject({
      name: "TypeError",
      message: "fetch failed",
    });
  });

  it("fails as fetch fails when nothing listens, and aborts with the signal", async () => {
    const { origin } = await serve(() => {});
    await servers[0]?.close();
    servers[0]?.closeAllConnections();
    const closed = origin;
    await expect(nodeFetch(`${closed}/x`)).rejects.toMatchObject({
      name: "TypeError",
      message: "fetch failed",
    });
    const slow = await serve(() => {});
    const aborted = nodeFetch(`${slow.origin}/slow`, { signal: AbortSignal.timeout(50) });
    await expect(aborted).rejects.toMatchObject({ name: "AbortError" });
    servers[1]?.closeAllConnections();
  });

  it("gives up on a server that goes silent, instead of waiting for ever", async () => {
    const { origin } = await serve((_, res) => res.writeHead(200).write("{"));
    const silent = nodeFetch(`${origin}/half`, { idleTimeoutMs: 100 });
    await expect(silent).rejects.toMatchObject({ name: "TypeError", message: "fetch failed" });
    await expect(silent).rejects.toHaveProperty(
      "cause.message",
      expect.stringMatching(/sent nothing for 0.1 s/),
    );
    servers[0]?.closeAllConnections();
  });
});

describe("Octokit over nodeFetch", () => {
  it("parses JSON answers and turns an error status into a RequestError with GitHub's message", async () => {
    const { origin, seen } = await serve((entry, res) => {
      if (entry.url.startsWith("/repos/o/missing")) return json(res, 404, { message: "Not Found" });
      json(res, 200, { full_name: "o/r" }, { "x-github-request-id": "AB:CD" });
    });
    const octokit = new Octokit({ baseUrl: origin, auth: "t0ken", request: { fetch: nodeFetch } });
    const { data, headers } = await octokit.request("GET /repos/{owner}/{repo}", { owner: "o", repo: "r" });
    expect(data).toEqual({ full_name: "o/r" });
    expect(headers["x-github-request-id"]).toBe("AB:CD");
    expect(seen[0]?.headers.authorization).toBe("token t0ken");
    const failed = await octokit
      .request("GET /repos/{owner}/{repo}", { owner: "o", repo: "missing" })
      .catch((e) => e);
    expect(failed).toBeInstanceOf(RequestError);
    expect(failed).toMatchObject({ status: 404, message: expect.stringContaining("Not Found") });
  });

  it("answers a 304 to a conditional request as Octokit's RequestError 304, which flowgate's ETag reads expect", async () => {
    const { origin, seen } = await serve((entry, res) => {
      if (entry.headers["if-none-match"] === '"v1"') return void res.writeHead(304, { etag: '"v1"' }).end();
      json(res, 200, [], { etag: '"v1"' });
    });
    const octokit = new Octokit({ baseUrl: origin, request: { fetch: nodeFetch } });
    const first = await octokit.request("GET /repos/{owner}/{repo}/pulls", { owner: "o", repo: "r" });
    expect(first.headers.etag).toBe('"v1"');
    const again = await octokit
      .request("GET /repos/{owner}/{repo}/pulls", {
        owner: "o",
        repo: "r",
        headers: { "if-none-match": '"v1"' },
      })
      .catch((e) => e);
    expect(again).toMatchObject({ status: 304 });
    expect(seen).toHaveLength(2);
  });
});

describe("flowgate's Octokit", () => {
  it("sends GitHub's requests through nodeFetch, unless a caller gives its own fetch", async () => {
    const log = (await import("pino")).default({ level: "silent" });
    const { flowgateOctokit } = await import("../../../src/app/octokit.js");
    const Default = flowgateOctokit(log);
    expect(new Default({ auth: { token: "t" } }).request.endpoint.DEFAULTS.request?.fetch).toBe(nodeFetch);
    const own = async () => new Response("{}");
    const Given = flowgateOctokit(log, { request: { fetch: own } });
    expect(new Given({ auth: { token: "t" } }).request.endpoint.DEFAULTS.request?.fetch).toBe(own);
  });
});
