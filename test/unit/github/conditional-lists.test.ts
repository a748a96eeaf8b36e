import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OctokitPort } from "../../../src/github/octokit-port.js";
import type { PullInfo } from "../../../src/github/port.js";
import { type Fixture, INSTALLATION, startFixture } from "../fake-github/setup.js";

let f: Fixture;
let port: OctokitPort;
beforeEach(async () => {
  f = await startFixture();
  port = new OctokitPort(
    async () => f.octokit,
    { installationId: INSTALLATION, owner: "acme", repo: "infra" },
    "flowgate",
  );
});
afterEach(() => f.gh.stop());

function openPulls(count: number): void {
  for (let i = 0; i < count; i++) {
    const sha = f.gh.commit("acme/infra", `b${i}`, { [`f${i}.tf`]: `${i}\n` });
    f.gh.openPull({ repo: "acme/infra", head: { ref: `b${i}`, sha }, user: "alice" });
  }
}

/** Requests made (and charged) while `read` runs. */
async function counted<T>(read: () => Promise<T>) {
  const since = f.gh.requests.length;
  const value = await read();
  const requests = f.gh.requests.slice(since);
  return {
    value,
    statuses: requests.map((r) => r.status),
    charged: requests.filter((r) => r.charged).length,
  };
}

const numbers = (pages: { items: PullInfo[] }[]) => pages.flatMap((p) => p.items.map((pull) => pull.number));

describe("lists asked again with the ETags of their previous answer", () => {
  it("an unchanged list of several pages costs one uncharged 304 per page", async () => {
    openPulls(150);
    const first = await counted(() => port.listOpenPulls());
    expect(first.value.changed).toBe(true);
    expect(first.value.pages.map((p) => p.items.length)).toEqual([100, 50]);
    expect(first.value.pages.every((p) => p.etag)).toBe(true);

    const again = await counted(() => port.listOpenPulls(first.value.pages));
    expect(again).toMatchObject({ statuses: [304, 304], charged: 0 });
    expect(again.value.changed).toBe(false);
    expect(numbers(again.value.pages)).toEqual(numbers(first.value.pages));
  });

  it("a change on one page is read on that page only", async () => {
    openPulls(150);
    const first = await port.listOpenPulls();
    // Newest first: PR 1 is on the second page.
    const pushed = f.gh.pushToPull("acme/infra", 1, { "f0.tf": "pushed\n" });
    const again = await counted(() => port.listOpenPulls(first.pages));
    expect(again).toMatchObject({ statuses: [304, 200], charged: 1 });
    expect(again.value.changed).toBe(true);
    expect(again.value.pages.flatMap((p) => p.items).find((p) => p.number === 1)?.headSha).toBe(pushed.after);
  });

  it("a full last page is followed by one more page, asked once and then conditionally too", async () => {
    openPulls(100);
    const first = await port.listOpenPulls();
    expect(first.pages).toHaveLength(1);
    const second = await counted(() => port.listOpenPulls(first.pages));
    expect(second).toMatchObject({ statuses: [304, 200], charged: 1 });
    expect(second.value.pages.map((p) => p.items.length)).toEqual([100, 0]);
    const third = await counted(() => port.listOpenPulls(second.value.pages));
    expect(third).toMatchObject({ statuses: [304, 304], charged: 0 });
    expect(third.value.changed).toBe(false);
  });

  it("a closed PR and a shorter list are seen", async () => {
    openPulls(101);
    const first = await port.listOpenPulls();
    f.gh.closePull("acme/infra", 1);
    const again = await port.listOpenPulls(first.pages);
    expect(again.changed).toBe(true);
    expect(numbers(again.pages)).toHaveLength(100);
    expect(numbers(again.pages)).not.toContain(1);
  });

  it("the installation's repositories are asked the same way", async () => {
    f.gh.addRepo({ owner: "acme", name: "web", installationId: INSTALLATION });
    const first = await port.listInstallationRepos();
    expect(first.pages.flatMap((p) => p.items.map((r) => r.repo)).sort()).toEqual(["infra", "web"]);
    const again = await counted(() => port.listInstallationRepos(first.pages));
    expect(again).toMatchObject({ statuses: [304], charged: 0 });
    f.gh.addRepo({ owner: "acme", name: "api", installationId: INSTALLATION });
    const grown = await port.listInstallationRepos(first.pages);
    expect(grown.changed).toBe(true);
    expect(grown.pages.flatMap((p) => p.items.map((r) => r.repo))).toContain("api");
  });
});
