import { describe, expect, it } from "vitest";
import { parseAllowedHosts, refusalFor } from "../../../src/verify/allowed-hosts.js";
import { probeContextFromEnv } from "../../../src/verify/probe.js";

function allowed(setting: string) {
  const parsed = parseAllowedHosts(setting);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

describe("FLOWGATE_VERIFY_ALLOWED_HOSTS", () => {
  it("reads hosts and host:port, case and trailing dots aside", () => {
    expect(allowed(" Status.Example.com , prom.example.com:9090,[::1]:8080,10.0.0.5 ")).toEqual([
      { host: "status.example.com" },
      { host: "prom.example.com", port: 9090 },
      { host: "[::1]", port: 8080 },
      { host: "10.0.0.5" },
    ]);
    expect(allowed("")).toEqual([]);
    expect(parseAllowedHosts(undefined)).toEqual({ ok: true, value: [] });
  });

  it("refuses anything but host and port: the whole setting, so nothing is allowed by a typo", () => {
    for (const bad of ["https://a.example", "a.example/path", "*.example.com", "user@a.example", "a b"]) {
      const parsed = parseAllowedHosts(`ok.example,${bad}`);
      expect(parsed.ok, bad).toBe(false);
    }
  });

  it("a host without a port allows its scheme's default port only", () => {
    const list = allowed("status.example.com,prom.example.com:9090");
    expect(refusalFor(new URL("https://STATUS.example.com./healthz"), list)).toBeUndefined();
    expect(refusalFor(new URL("http://status.example.com/healthz"), list)).toBeUndefined();
    expect(refusalFor(new URL("https://status.example.com:8443/"), list)).toMatch(
      /host status.example.com:8443 is not in FLOWGATE_VERIFY_ALLOWED_HOSTS/,
    );
    expect(refusalFor(new URL("http://prom.example.com:9090/api"), list)).toBeUndefined();
    expect(refusalFor(new URL("http://prom.example.com/api"), list)).toMatch(/not in/);
  });

  it("IP literals in any spelling are compared as the address they name", () => {
    const list = allowed("10.0.0.5");
    expect(refusalFor(new URL("http://10.0.0.5/"), list)).toBeUndefined();
    expect(refusalFor(new URL("http://167772165/"), list)).toBeUndefined();
    expect(refusalFor(new URL("http://169.254.169.254/latest/meta-data"), list)).toMatch(/not in/);
    expect(refusalFor(new URL("http://[::ffff:a00:5]/"), list)).toMatch(/not in/);
    expect(refusalFor(new URL("file:///etc/passwd"), list)).toMatch(/only http and https/);
  });

  it("the probe context comes from the environment; an invalid setting fails closed", () => {
    const ctx = probeContextFromEnv({ FLOWGATE_VERIFY_ALLOWED_HOSTS: "a.example" });
    expect(ctx.ok && ctx.value.allowedHosts).toEqual([{ host: "a.example" }]);
    expect(probeContextFromEnv({ FLOWGATE_VERIFY_ALLOWED_HOSTS: "http://a.example" }).ok).toBe(false);
  });
});
