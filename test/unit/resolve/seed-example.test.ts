import { describe, expect, it } from "vitest";
import { loadConfigFiles, mergeConfigSets } from "../../../src/config/load.js";
import type { ConfigFile } from "../../../src/config/types.js";
import { buildPolicyIndex, resolveStack } from "../../../src/engine/resolve.js";

/** The Flow Control guide's resolution example, as flowgate documents. */
const PLATFORM = `apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: platform-default }
spec:
  selector: { kind: platform, id: planton_cloud }
  flowControl:
    previewBeforeUpdateOrDestroy: true
    pauseBetweenPreviewAndUpdateOrDestroy: false
`;
const ORGANIZATION = `apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: acmecorp-standard }
spec:
  selector: { kind: organization, id: acmecorp }
  flowControl:
    previewBeforeUpdateOrDestroy: true
    pauseBetweenPreviewAndUpdateOrDestroy: false
    skipRefresh: true
`;
const REPOSITORY = `apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: production-careful }
spec:
  selector: { kind: environment, id: prod-env }
  flowControl:
    previewBeforeUpdateOrDestroy: true
    pauseBetweenPreviewAndUpdateOrDestroy: true
---
apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: critical-database-extra-careful }
spec:
  selector: { kind: aws_rds, id: billing-database }
  flowControl:
    isManual: true
    previewBeforeUpdateOrDestroy: true
    pauseBetweenPreviewAndUpdateOrDestroy: true
---
apiVersion: flowgate/v1
kind: Stack
metadata: { name: billing-database }
spec: { kind: aws_rds, environment: prod-env, dir: infra/prod/billing }
---
apiVersion: flowgate/v1
kind: Stack
metadata: { name: orders-queue }
spec: { kind: aws_sqs, environment: prod-env, dir: infra/prod/orders }
---
apiVersion: flowgate/v1
kind: Stack
metadata: { name: orders-queue-staging }
spec: { kind: aws_sqs, environment: staging, dir: infra/staging/orders }
---
apiVersion: flowgate/v1
kind: Stack
metadata: { name: sandbox-bucket }
spec: { kind: aws_s3, environment: brand-new, dir: infra/new/bucket }
`;

function resolveAll(org: string | undefined) {
  const files: ConfigFile[] = [
    { path: "policies/platform/default.yaml", content: PLATFORM, level: "platform" },
    { path: "acmecorp/.github:.github/flowgate/org.yml", content: ORGANIZATION, level: "organization" },
    { path: ".github/flowgate/prod.yml", content: REPOSITORY, level: "repository" },
  ];
  const config = mergeConfigSets(...files.map((f) => loadConfigFiles([f])));
  expect(config.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const now = new Date("2026-11-23T12:00:00Z");
  const index = buildPolicyIndex(config.policies, now);
  return Object.fromEntries(
    config.stacks.map((s) => [s.name, resolveStack(index, s, { ...(org ? { org } : {}), now })]),
  );
}

describe("the seed's resolution example", () => {
  const r = resolveAll("acmecorp");

  it("the billing database uses its own policy (the most restrictive)", () => {
    const billing = r["billing-database"]!;
    expect(billing.policy.policy).toBe("critical-database-extra-careful");
    expect(billing.flow.isManual).toBe(true);
    expect(billing.provenance.isManual).toMatchObject({
      policy: "critical-database-extra-careful",
      file: ".github/flowgate/prod.yml",
    });
    expect(billing.flow.pauseBetweenPreviewAndUpdateOrDestroy).toBe(true);
    // Field-level inheritance: skipRefresh is not set above the organization, so it comes from there.
    expect(billing.provenance.skipRefresh.policy).toBe("acmecorp-standard");
    expect(billing.applied.map((a) => a.policy)).toEqual([
      "platform-default",
      "acmecorp-standard",
      "production-careful",
      "critical-database-extra-careful",
    ]);
  });

  it("any other production resource uses the production environment policy", () => {
    const orders = r["orders-queue"]!;
    expect(orders.policy.policy).toBe("production-careful");
    expect(orders.flow.isManual).toBe(false);
    expect(orders.flow.pauseBetweenPreviewAndUpdateOrDestroy).toBe(true);
    expect(orders.provenance.pauseBetweenPreviewAndUpdateOrDestroy.policy).toBe("production-careful");
  });

  it("staging resources use the organization policy (faster)", () => {
    const staging = r["orders-queue-staging"]!;
    expect(staging.policy.policy).toBe("acmecorp-standard");
    expect(staging.flow.skipRefresh).toBe(true);
    expect(staging.flow.pauseBetweenPreviewAndUpdateOrDestroy).toBe(false);
  });

  it("without the organization, a new environment falls back to the platform default", () => {
    const fresh = resolveAll(undefined)["sandbox-bucket"]!;
    expect(fresh.policy.policy).toBe("platform-default");
    expect(fresh.flow.skipRefresh).toBe(false);
    expect(fresh.provenance.skipRefresh.via).toBe("default");
    expect(fresh.flow.previewBeforeUpdateOrDestroy).toBe(true);
  });
});
