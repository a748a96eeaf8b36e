import http from "node:http";
import https from "node:https";
import zlib from "node:zlib";

/**
 * The part of `fetch` that Octokit's request layer uses, over node:http with keep-alive sockets.
 *
 * Why not the global fetch: undici's fetch builds WHATWG Request, Response, Headers and streams for
 * every call, and it cost about 0.5 ms of CPU per GitHub request against 0.14 ms for this (issue 11:
 * flowgate makes six requests per event). What Octokit reads back is only status, url, headers
 * (iterated and `get`), `text()` and `arrayBuffer()`; nothing streams.
 *
 * Redirects are followed as fetch follows them (artifact downloads answer 302 to blob storage), at
 * most five, and the Authorization header is dropped when a redirect leaves the origin, as browsers
 * and undici do. A 303, or a 301/302 answering a POST, is followed with a GET and no body.
 */
export interface LeanResponse {
  status: number;
  statusText: string;
  url: string;
  headers: Map<string, string>;
  body: null;
  text(): Promise<string>;
  json(): Promise<unknown>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

interface LeanInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array | null;
  signal?: AbortSignal | null;
  redirect?: "follow" | "manual" | "error";
  /** how long a socket may stay silent in the middle of a request (default 120 s) */
  idleTimeoutMs?: number;
}

/** undici's fetch gave up on a silent server after 300 s; a worker must never wait for ever. */
const IDLE_TIMEOUT_MS = 120_000;

const MAX_REDIRECTS = 5;
const agents = {
  "http:": new http.Agent({ keepAlive: true }),
  "https:": new https.Agent({ keepAlive: true }),
};

export async function nodeFetch(input: string | URL, init: LeanInit = {}): Promise<LeanResponse> {
  let url = new URL(String(input));
  let method = (init.method ?? "GET").toUpperCase();
  let body = init.body ?? null;
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  for (let hop = 0; ; hop++) {
    const response = await once(
      url,
      method,
      headers,
      body,
      init.signal ?? null,
      init.idleTimeoutMs ?? IDLE_TIMEOUT_MS,
    );
    const location = response.headers.get("location");
    if (!isRedirect(response.status) || !location || init.redirect === "manual") return response;
    if (init.redirect === "error") throw new TypeError(`fetch failed: redirected to ${location}`);
    if (hop >= MAX_REDIRECTS) throw new TypeError(`fetch failed: more than ${MAX_REDIRECTS} redirects`);
    const next = new URL(location, url);
    if (next.origin !== url.origin) deleteHeader(headers, "authorization");
    if (
      response.status === 303 ||
      ((response.status === 301 || response.status === 302) && method === "POST")
    ) {
      method = "GET";
      body = null;
      deleteHeader(headers, "content-type");
      deleteHeader(headers, "content-length");
    }
    url = next;
  }
}

function once(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | Uint8Array | null,
  signal: AbortSignal | null,
  idleTimeoutMs: number,
): Promise<LeanResponse> {
  return new Promise((resolve, reject) => {
    const agent = agents[url.protocol as keyof typeof agents];
    if (!agent) return reject(new TypeError(`fetch failed: unsupported protocol ${url.protocol}`));
    const request = (url.protocol === "https:" ? https : http).request(
      url,
      { method, headers, agent, ...(signal ? { signal } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const bytes = chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks);
          try {
            resolve(leanResponse(res, url.href, decoded(bytes, res.headers["content-encoding"])));
          } catch (error) {
            reject(new TypeError("fetch failed", { cause: error }));
          }
        });
      },
    );
    request.setTimeout(idleTimeoutMs, () =>
      request.destroy(new Error(`${url.host} sent nothing for ${idleTimeoutMs / 1000} s`)),
    );
    request.on("error", (error) =>
      reject(error.name === "AbortError" ? error : new TypeError("fetch failed", { cause: error })),
    );
    request.end(body ?? undefined);
  });
}

function leanResponse(res: http.IncomingMessage, url: string, bytes: Buffer): LeanResponse {
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(res.headers)) {
    // The body is decoded already: its encoding and length no longer describe it.
    if (value === undefined || name === "content-encoding" || name === "content-length") continue;
    headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const text = async () => bytes.toString("utf8");
  return {
    status: res.statusCode ?? 0,
    statusText: res.statusMessage ?? "",
    url,
    headers,
    body: null,
    text,
    json: async () => JSON.parse(await text()),
    arrayBuffer: async () =>
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
  };
}

/**
 * flowgate asks for no encoding, so GitHub answers plainly; a proxy that compresses anyway is decoded
 * here, as fetch would.
 */
function decoded(bytes: Buffer, encoding: string | undefined): Buffer {
  switch (encoding?.trim().toLowerCase()) {
    case undefined:
    case "":
    case "identity":
      return bytes;
    case "gzip":
    case "x-gzip":
      return zlib.gunzipSync(bytes);
    case "deflate":
      return zlib.inflateSync(bytes);
    case "br":
      return zlib.brotliDecompressSync(bytes);
    default:
      throw new Error(`unsupported content-encoding ${encoding}`);
  }
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

function deleteHeader(headers: Record<string, string>, name: string): void {
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name) delete headers[key];
}
