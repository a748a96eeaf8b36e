import { describe, expect, it } from "vitest";
import { envReferences, substituteEnv } from "../../../src/engine/env-references.js";
import { planChecks } from "../../../src/engine/verification.js";

const ref = (name: string) => `\${env.${name}}`;

describe("planChecks", () => {
  it("fills defaults, names checks by kind and position, durations in milliseconds", () => {
    const planned = planChecks([
      { http: { url: "https://a.example/healthz" } },
      {
        name: "errors",
        prometheus: {
          server: "https://p.example",
          query: "up",
          condition: "true",
          interval: "1m",
          for: "10m",
          failureLimit: 2,
        },
      },
      { workflow: { file: "verify.yml" } },
    ]);
    expect(planned).toEqual({
      ok: true,
      value: [
        {
          kind: "http",
          name: "http 1",
          url: "https://a.example/healthz",
          expectStatus: 200,
          headers: {},
          schedule: { intervalMs: 30_000, forMs: 0, timeoutMs: 10_000, failureLimit: 0 },
        },
        {
          kind: "prometheus",
          name: "errors",
          server: "https://p.example",
          query: "up",
          condition: "true",
          headers: {},
          schedule: { intervalMs: 60_000, forMs: 600_000, timeoutMs: 10_000, failureLimit: 2 },
        },
        { kind: "workflow", name: "workflow 3", file: "verify.yml", inputs: {} },
      ],
    });
  });

  it("fails the whole list on an entry that cannot run (fail closed)", () => {
    expect(planChecks([{ http: { url: "https://a.example/", timeout: "5m" } }])).toEqual({
      ok: false,
      error: 'verify check "http 1": timeout: "5m" is longer than the limit of 60s',
    });
    expect(planChecks([{ name: "x" }])).toEqual({
      ok: false,
      error: 'verify check "x" must set exactly one of http, prometheus, workflow (it sets none)',
    });
    expect(
      planChecks([{ http: { url: "https://a/" } }, { name: "http 1", workflow: { file: "v.yml" } }]),
    ).toEqual({
      ok: false,
      error: 'two verify checks are named "http 1"',
    });
  });
});

describe("env references", () => {
  it("finds references and refuses names outside FLOWGATE_VERIFY_* and malformed ones", () => {
    expect(envReferences(`https://${ref("FLOWGATE_VERIFY_HOST")}/x`)).toEqual({
      names: ["FLOWGATE_VERIFY_HOST"],
      problems: [],
    });
    expect(envReferences(ref("WEBHOOK_SECRET")).problems).toEqual([
      `${ref("WEBHOOK_SECRET")} cannot be read: verification may only read environment variables named FLOWGATE_VERIFY_*`,
    ]);
    expect(envReferences(`\${FLOWGATE_VERIFY_X}`).problems[0]).toMatch(/is not a reference/);
  });

  it("substitutes from the environment; an unset variable is named", () => {
    const env = { FLOWGATE_VERIFY_A: "one" };
    expect(substituteEnv(`x-${ref("FLOWGATE_VERIFY_A")}-y`, env)).toEqual({ ok: true, value: "x-one-y" });
    expect(substituteEnv(ref("FLOWGATE_VERIFY_B"), env)).toEqual({
      ok: false,
      error: "the environment variable FLOWGATE_VERIFY_B is not set in the app",
    });
  });
});
