/** Small builders shared by the configuration tests. */
import { loadConfigFiles } from "../../../src/config/load.js";
import type { ConfigSet, Diagnostic, Level } from "../../../src/config/types.js";

/** Loads one in-memory file. */
export function load(content: string, level: Level = "repository", path = "flowgate.yml"): ConfigSet {
  return loadConfigFiles([{ path, content, level }]);
}

/** `line:col severity message`, easy to compare in assertions. */
export function brief(d: Diagnostic): string {
  return `${d.line}:${d.col} ${d.severity} ${d.message}`;
}

export function errors(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === "error");
}

export function warnings(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === "warning");
}

/** A minimal valid document of each kind, to build variations from. */
export const STACK = `apiVersion: flowgate/v1
kind: Stack
metadata: { name: billing-database }
spec:
  kind: aws_rds
  environment: production
  dir: infra/prod/billing-db
`;

export const GATE = `apiVersion: flowgate/v1
kind: Gate
metadata: { name: change-freeze }
spec:
  default: open
`;

/** `line:col` of the `nth` occurrence of `needle` in `source`: expected positions come from the text itself. */
export function locate(source: string, needle: string, nth = 0): string {
  let index = -1;
  for (let i = 0; i <= nth; i++) {
    index = source.indexOf(needle, index + 1);
    if (index === -1) throw new Error(`"${needle}" occurs fewer than ${nth + 1} times`);
  }
  const before = source.slice(0, index);
  const line = before.split("\n").length;
  const col = index - before.lastIndexOf("\n");
  return `${line}:${col}`;
}
