import { loadConfigFiles } from "../src/config/load.js";
import type { ConfigFile } from "../src/config/types.js";
import { StackMatcher } from "../src/engine/affected.js";
import { buildPolicyIndex, resolveStack } from "../src/engine/resolve.js";
import { measure, type Row } from "./measure.js";

const KINDS = [
  "aws_rds",
  "aws_s3",
  "aws_eks",
  "postgres_kubernetes",
  "gcp_sql",
  "azure_vm",
  "aws_lambda",
  "aws_vpc",
];

function stacksYaml(count: number, envs: number): string {
  const docs: string[] = [];
  for (let i = 0; i < count; i++) {
    const env = `env-${i % envs}`;
    docs.push(
      `apiVersion: flowgate/v1\nkind: Stack\nmetadata: { name: stack-${i} }\nspec:\n  kind: ${KINDS[i % KINDS.length]}\n  environment: ${env}\n  dir: infra/${env}/stack-${i}\n  paths: ["infra/${env}/stack-${i}/**", "modules/${KINDS[i % KINDS.length]}/**"]`,
    );
  }
  return docs.join("\n---\n");
}

/** A realistic mix: per-environment policies, per-resource overrides (a tenth of them globs), org and platform. */
function policiesYaml(count: number, envs: number, stacks: number): string {
  const docs: string[] = [
    "apiVersion: flowgate/v1\nkind: FlowControlPolicy\nmetadata: { name: org }\nspec:\n  selector: { kind: organization, id: acme }\n  flowControl: { skipRefresh: true }",
  ];
  for (let i = 1; i < count; i++) {
    if (i % 10 === 0) {
      docs.push(
        `apiVersion: flowgate/v1\nkind: FlowControlPolicy\nmetadata: { name: env-${i} }\nspec:\n  selector: { kind: environment, id: env-${i % envs} }\n  flowControl:\n    pauseBetweenPreviewAndUpdateOrDestroy: true\n    conditions:\n      - if: "plan.destroy == 0"\n        then: { pauseBetweenPreviewAndUpdateOrDestroy: false }`,
      );
    } else if (i % 10 === 1) {
      docs.push(
        `apiVersion: flowgate/v1\nkind: FlowControlPolicy\nmetadata: { name: glob-${i} }\nspec:\n  selector: { kind: ${KINDS[i % KINDS.length]}, id: "stack-${i}*" }\n  flowControl: { isManual: true }`,
      );
    } else {
      docs.push(
        `apiVersion: flowgate/v1\nkind: FlowControlPolicy\nmetadata: { name: res-${i} }\nspec:\n  selector: { kind: ${KINDS[((i * 7) % stacks) % KINDS.length]}, id: stack-${(i * 7) % stacks} }\n  flowControl: { previewBeforeUpdateOrDestroy: true, approvalRules: [ { approvers: { minRequired: 2 } } ] }`,
      );
    }
  }
  return docs.join("\n---\n");
}

export function resolutionBench(stackCount: number, policyCount: number): Row {
  const envs = 40;
  const files: ConfigFile[] = [
    { path: "stacks.yml", content: stacksYaml(stackCount, envs), level: "repository" },
    { path: "policies.yml", content: policiesYaml(policyCount, envs, stackCount), level: "repository" },
  ];
  const config = loadConfigFiles(files, { maxFileBytes: 64 * 1024 * 1024, maxDocuments: 100_000 });
  const now = new Date("2026-11-23T12:00:00Z");
  return measure(`resolve ${stackCount} stacks × ${policyCount} policies`, stackCount, () => {
    const index = buildPolicyIndex(config.policies, now);
    let manual = 0;
    for (const stack of config.stacks) {
      const r = resolveStack(index, stack, { org: "acme", now, vars: { files: [] } });
      if (r.flow.isManual) manual++;
    }
    return manual;
  });
}

export function matchingBench(fileCount: number, stackCount: number): Row {
  const envs = 40;
  const config = loadConfigFiles(
    [{ path: "stacks.yml", content: stacksYaml(stackCount, envs), level: "repository" }],
    {
      maxFileBytes: 64 * 1024 * 1024,
      maxDocuments: 100_000,
    },
  );
  const files: string[] = [];
  for (let i = 0; i < fileCount; i++) {
    const s = i % (stackCount * 2);
    // Half the files belong to stacks, the rest are unrelated (docs, apps) or unowned Terraform.
    files.push(
      s < stackCount
        ? `infra/env-${s % envs}/stack-${s}/file-${i}.tf`
        : i % 7 === 0
          ? `legacy/unowned-${i}.tf`
          : `apps/service-${i % 300}/src/file-${i}.ts`,
    );
  }
  return measure(`match ${fileCount} files × ${stackCount} stacks`, fileCount, () => {
    const matcher = new StackMatcher(config.stacks);
    const result = matcher.affected(files, ["**/*.tf", "**/*.tfvars"]);
    return result.stacks.size + result.unownedInfra.length;
  });
}
