import { describe, expect, it } from "vitest";
import { describeApprovers, describeOpeners } from "../../../src/console/data.js";
import { pipelineSvg } from "../../../src/console/graph.js";
import { html, waited } from "../../../src/console/html.js";
import { webUrlOf } from "../../../src/console/identity.js";
import type { PipelineNode } from "../../../src/console/pipelines.js";
import { Sessions } from "../../../src/console/session.js";

describe("console HTML", () => {
  it("escapes every interpolated value, and only once when nested", () => {
    const evil = `<script>alert("x")</script>&'`;
    const inner = html`<b>${evil}</b>`;
    expect(html`<p title="${evil}">${inner}${[evil, 1]}</p>`.value).toBe(
      `<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"><b>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</b>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;1</p>`,
    );
    expect(html`${undefined}${null}${false}`.value).toBe("");
  });

  it("says how long something waited in words a person reads", () => {
    expect([waited(42), waited(125), waited(3 * 3600 + 720), waited(3 * 86_400 + 7200)]).toEqual([
      "42 s",
      "2 min",
      "3 h 12 min",
      "3 d 2 h",
    ]);
  });
});

describe("the pipeline graph", () => {
  const node = (stack: string, status: string, dependsOn: string[] = []): PipelineNode => ({
    jobId: `id-${stack}`,
    stack,
    environment: "production",
    status,
    reason: `${status} <now>`,
    dependsOn: dependsOn.map((d) => `id-${d}`),
    createdAt: "2026-12-05T10:00:00Z",
    updatedAt: "2026-12-05T10:00:00Z",
    runs: [],
  });

  it("puts stacks in columns by dependency depth, one edge per dependsOn, coloured by state", () => {
    const svg = pipelineSvg([
      node("service", "queued", ["database"]),
      node("network", "succeeded"),
      node("database", "applying", ["network"]),
      node("web", "failed"),
    ]).value;
    expect(svg.match(/class="edge"/g)).toHaveLength(2);
    const x = (stack: string) =>
      Number(new RegExp(`data-stack="${stack}"[\\s\\S]*?<rect x="(\\d+)"`).exec(svg)?.[1]);
    expect([x("network"), x("web")]).toEqual([10, 10]);
    expect(x("database")).toBeGreaterThan(x("network"));
    expect(x("service")).toBeGreaterThan(x("database"));
    expect(svg).toContain('data-stack="web" data-status="failed"');
    expect(svg).toContain("#cf222e");
    expect(svg).toContain("&lt;now&gt;");
    expect(svg).not.toContain("<now>");
  });
});

describe("sessions and links", () => {
  it("accepts only cookies it signed", () => {
    const sessions = new Sessions({} as never, "secret", 60);
    const signed = sessions.sign("abc");
    expect(sessions.unsign(signed)).toBe("abc");
    expect(sessions.unsign(`abd${signed.slice(3)}`)).toBeUndefined();
    expect(sessions.unsign(new Sessions({} as never, "other", 60).sign("abc"))).toBeUndefined();
    expect(sessions.unsign("abc")).toBeUndefined();
    expect(sessions.cookie("flowgate_session", "abc", true)).toMatch(
      /HttpOnly; SameSite=Lax; Max-Age=60; Secure$/,
    );
  });

  it("links to GitHub's web pages for github.com, GHES and a local fake", () => {
    expect(webUrlOf("https://api.github.com")).toBe("https://github.com");
    expect(webUrlOf("https://ghe.example.com/api/v3")).toBe("https://ghe.example.com");
    expect(webUrlOf("http://127.0.0.1:4000")).toBe("http://127.0.0.1:4000");
  });

  it("names who may unblock", () => {
    expect(describeApprovers({ minRequired: 2, fromTeams: ["acme/sre"] })).toBe(
      "2 people from team acme/sre (not the author)",
    );
    expect(describeApprovers(undefined)).toBe("people with write permission on the repository");
    expect(describeOpeners({ name: "org:freeze", openers: { users: [], teams: [] } } as never)).toBe(
      "organization owners",
    );
  });
});
