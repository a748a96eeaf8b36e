import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { emptyConfigSet } from "../../../src/config/load.js";
import { OctokitPort } from "../../../src/github/octokit-port.js";
import type { RepoRef } from "../../../src/github/port.js";
import { ConfigService } from "../../../src/runtime/config-service.js";
import { type Fixture, INSTALLATION, startFixture } from "../fake-github/setup.js";

const policy = (expires: string) =>
  `apiVersion: flowgate/v1\nkind: FlowControlPolicy\nmetadata: { name: migration, annotations: { expires: "${expires}" } }\nspec:\n  selector: { kind: aws_rds, id: db }\n  flowControl: { isManual: true }\n`;

let f: Fixture;
const repo: RepoRef = { installationId: INSTALLATION, owner: "acme", repo: "infra" };
const port = (ref: RepoRef) => new OctokitPort(async () => f.octokit, ref, "flowgate");
beforeEach(async () => {
  f = await startFixture();
});
afterEach(() => f.gh.stop());

describe("configuration validated once per version of its files", () => {
  it("keeps the result for the same files within a minute, and validates again for new files or a new minute", async () => {
    f.gh.commit("acme/infra", "main", { ".github/flowgate/policies.yaml": policy("2026-03-01T12:00:30Z") });
    const service = new ConfigService(emptyConfigSet());
    const read = (at: string) => service.read(port, repo, { ref: "main", now: new Date(at) });
    const warnings = async (at: string) => {
      const config = await read(at);
      expect(config.errors).toEqual([]);
      return config.warnings.map((d) => d.message);
    };

    expect(await warnings("2026-03-01T12:00:00Z")).toEqual([]);
    // Same files, same minute: the kept result (the policy expires within this minute).
    expect(await warnings("2026-03-01T12:00:59Z")).toEqual([]);
    // The next minute is validated again and sees the expiry.
    expect(await warnings("2026-03-01T12:01:00Z")).toEqual([
      "policy migration expired on 2026-03-01T12:00:30Z and is ignored",
    ]);
    // A change of the file is a new version, validated at once.
    f.gh.commit("acme/infra", "main", { ".github/flowgate/policies.yaml": policy("2027-01-01") });
    expect(await warnings("2026-03-01T12:01:10Z")).toEqual([]);
    f.gh.commit("acme/infra", "main", { ".github/flowgate/policies.yaml": policy("2020-01-01") });
    expect(await warnings("2026-03-01T12:01:20Z")).toEqual([
      "policy migration expired on 2020-01-01 and is ignored",
    ]);
  });
});
