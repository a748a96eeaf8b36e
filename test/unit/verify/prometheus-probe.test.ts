import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PlannedPrometheusCheck, planCheck } from "../../../src/engine/verification.js";
import { parseAllowedHosts } from "../../../src/verify/allowed-hosts.js";
import { runProbe } from "../../../src/verify/probe.js";
import type { ProbeContext } from "../../../src/verify/types.js";
import { json, startServer, type TestServer } from "./servers.js";

/** A Prometheus HTTP API that answers a few fixed queries the way Prometheus does. */
let prom: TestServer;

beforeAll(async () => {
  prom = await startServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname !== "/prom/api/v1/query") return json(res, 404, {});
    const query = url.searchParams.get("query");
    const vector = (values: string[]) =>
      json(res, 200, {
        status: "success",
        data: {
          resultType: "vector",
          result: values.map((v, i) => ({ metric: { instance: `api-${i}` }, value: [1714824000.1, v] })),
        },
      });
    switch (query) {
      case "error_rate_ok":
        return vector(["0.001", "0.004"]);
      case "error_rate_high":
        return vector(["0.001", "0.2"]);
      case "nothing":
        return vector([]);
      case "scalar(1)":
        return json(res, 200, {
          status: "success",
          data: { resultType: "scalar", result: [1714824000, "1"] },
        });
      case "up[5m]":
        return json(res, 200, { status: "success", data: { resultType: "matrix", result: [] } });
      default:
        return json(res, 400, { status: "error", errorType: "bad_data", error: "parse error at char 1" });
    }
  });
});

afterAll(() => prom.close());

function check(
  query: string,
  condition: string,
  server = `http://${prom.host}/prom/`,
): PlannedPrometheusCheck {
  const planned = planCheck({ prometheus: { server, query, condition } }, 0);
  if (!planned.ok || planned.value.kind !== "prometheus") throw new Error("bad check");
  return planned.value;
}

function context(allowed = prom.host): ProbeContext {
  const hosts = parseAllowedHosts(allowed);
  if (!hosts.ok) throw new Error(hosts.error);
  return { allowedHosts: hosts.value, env: {} };
}

describe("prometheus probe", () => {
  it("passes when the condition holds over the vector, with the samples observed", async () => {
    const result = await runProbe(check("error_rate_ok", "result.all(s, s.value < 0.01)"), context());
    expect(result).toMatchObject({
      ok: true,
      reason: "result.all(s, s.value < 0.01) holds (2 sample(s))",
      observed: {
        status: 200,
        result: {
          type: "vector",
          total: 2,
          samples: [
            { metric: { instance: "api-0" }, value: 0.001 },
            { metric: { instance: "api-1" }, value: 0.004 },
          ],
        },
      },
    });
    expect(prom.requests.at(-1)?.url).toBe("/prom/api/v1/query?query=error_rate_ok");
  });

  it("fails when it does not hold; an empty vector is left to the condition", async () => {
    const high = await runProbe(check("error_rate_high", "result.all(s, s.value < 0.01)"), context());
    expect(high).toMatchObject({
      ok: false,
      reason: "the condition does not hold: result.all(s, s.value < 0.01) (2 sample(s))",
    });
    const none = await runProbe(
      check("nothing", "size(result) > 0 && result.all(s, s.value < 0.01)"),
      context(),
    );
    expect(none.ok).toBe(false);
  });

  it("a scalar is a number", async () => {
    const result = await runProbe(check("scalar(1)", "result == 1.0"), context());
    expect(result).toMatchObject({ ok: true, reason: "result == 1.0 holds (a scalar)" });
  });

  it("a query error and a range result are failures with Prometheus's reason", async () => {
    const bad = await runProbe(check("sum(", "result.size() > 0"), context());
    expect(bad).toMatchObject({
      ok: false,
      reason: "status 400: the query failed (bad_data): parse error at char 1",
    });
    const matrix = await runProbe(check("up[5m]", "result.size() > 0"), context());
    expect(matrix.reason).toBe(
      "status 200: the query gave a matrix; use an instant query that gives a vector or a scalar",
    );
  });

  it("a server that is not allowed is never asked", async () => {
    const before = prom.requests.length;
    const result = await runProbe(check("error_rate_ok", "true"), context("prometheus.example.com"));
    expect(result).toMatchObject({ ok: false, permanent: true });
    expect(result.reason).toMatch(
      /^not requested: host 127\.0\.0\.1:\d+ is not in FLOWGATE_VERIFY_ALLOWED_HOSTS/,
    );
    expect(prom.requests.length).toBe(before);
  });
});
