import { describe, expect, it } from "vitest";
import { loadConfigFiles } from "../../../src/config/load.js";
import { StackMatcher } from "../../../src/engine/affected.js";

const STACKS = loadConfigFiles([
  {
    path: "s.yml",
    level: "repository",
    content: `apiVersion: flowgate/v1
kind: Stack
metadata: { name: billing }
spec: { kind: aws_rds, environment: production, paths: ["infra/prod/billing/**", "modules/rds/**"] }
---
apiVersion: flowgate/v1
kind: Stack
metadata: { name: network }
spec: { kind: aws_vpc, environment: production, dir: infra/prod/network }
---
apiVersion: flowgate/v1
kind: Stack
metadata: { name: all-tfvars }
spec: { kind: misc, environment: production, dir: vars, paths: ["**/*.auto.tfvars"] }
`,
  },
]).stacks;

describe("affected stacks", () => {
  const matcher = new StackMatcher(STACKS);

  it("maps changed files to stacks through their paths globs, shared modules to every owner", () => {
    const result = matcher.affected([
      "infra/prod/billing/main.tf",
      "modules/rds/variables.tf",
      "infra/prod/network/vpc.tf",
      "README.md",
    ]);
    expect([...result.stacks.keys()]).toEqual(["billing", "network"]);
    expect(result.stacks.get("billing")).toEqual(["infra/prod/billing/main.tf", "modules/rds/variables.tf"]);
  });

  it("globs without a literal prefix match anywhere", () => {
    expect([...matcher.affected(["deep/nested/prod.auto.tfvars"]).stacks.keys()]).toEqual(["all-tfvars"]);
  });

  it("infrastructure files no stack owns are reported, other files are not", () => {
    const result = matcher.affected(
      ["legacy/old.tf", "docs/guide.md", "infra/prod/billing/x.tf"],
      ["**/*.tf"],
    );
    expect(result.unownedInfra).toEqual(["legacy/old.tf"]);
  });

  it("a directory name that only starts like a stack's does not match it", () => {
    expect(matcher.affected(["infra/prod/billing-archive/main.tf"]).stacks.size).toBe(0);
  });
});
