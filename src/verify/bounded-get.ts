/**
 * One GET request of a probe, bounded: a time limit for the whole exchange, a size limit on the body (reading
 * stops beyond it), and redirects never followed (a 3xx is the answer, so a redirect cannot lead to a host that
 * is not allowed). The caller checks the host before calling.
 */

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export type FetchFunction = (url: string, init: RequestInit) => Promise<Response>;

export interface BoundedGetOptions {
  headers: Record<string, string>;
  timeoutMs: number;
  maxBytes?: number;
  fetch?: FetchFunction;
}

export type BoundedResponse =
  | { ok: true; status: number; contentType: string; location?: string; body: Buffer; elapsedMs: number }
  | { ok: false; error: string; elapsedMs: number };

function describeFailure(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === "TimeoutError" || e?.name === "AbortError") return `no answer within ${timeoutMs / 1000}s`;
  const cause = e?.cause?.code ?? e?.cause?.message;
  return `the request failed: ${e?.message ?? String(error)}${cause ? ` (${cause})` : ""}`;
}

async function readBounded(response: Response, maxBytes: number): Promise<Buffer | undefined> {
  const reader = response.body?.getReader();
  if (!reader) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

export async function boundedGet(url: URL, options: BoundedGetOptions): Promise<BoundedResponse> {
  const started = Date.now();
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BODY_BYTES;
  const doFetch = options.fetch ?? fetch;
  const signal = AbortSignal.timeout(options.timeoutMs);
  const elapsed = () => Date.now() - started;
  try {
    const response = await doFetch(url.href, {
      method: "GET",
      headers: options.headers,
      redirect: "manual",
      signal,
    });
    const declared = Number(response.headers.get("content-length") ?? "");
    if (Number.isFinite(declared) && declared > maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      return {
        ok: false,
        error: `the response is larger than ${maxBytes} bytes (${declared} declared)`,
        elapsedMs: elapsed(),
      };
    }
    const body = await readBounded(response, maxBytes);
    if (!body)
      return { ok: false, error: `the response is larger than ${maxBytes} bytes`, elapsedMs: elapsed() };
    const location = response.headers.get("location");
    return {
      ok: true,
      status: response.status,
      contentType: response.headers.get("content-type") ?? "",
      ...(location ? { location } : {}),
      body,
      elapsedMs: elapsed(),
    };
  } catch (error) {
    return { ok: false, error: describeFailure(error, options.timeoutMs), elapsedMs: elapsed() };
  }
}
