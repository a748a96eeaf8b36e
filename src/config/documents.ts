/**
 * One schema-valid document to the configuration model: fill defaults (SPEC §2.1) and apply the level rules of
 * SPEC §2 (organization gates are `org:NAME`; `enforced` and `breakGlass` only where they are honoured). Fields that
 * are ignored are dropped here so nothing downstream can honour them by mistake.
 */
import { literalDirPrefix } from "../lang/glob.js";
import { diagnosticAt } from "./diagnostics.js";
import { checkDir } from "./patterns.js";
import type {
  ApprovalRule,
  Diagnostic,
  DocOrigin,
  FlowControl,
  FlowFields,
  Gate,
  GateBlock,
  GateScheduleEntry,
  Policy,
  Selector,
  Settings,
  Stack,
  StackGenerator,
} from "./types.js";

export type ConfigItem =
  | { kind: "stack"; stack: Stack }
  | { kind: "generator"; generator: StackGenerator }
  | { kind: "policy"; policy: Policy }
  | { kind: "gate"; gate: Gate }
  | { kind: "settings"; settings: Settings };

export interface ReadResult {
  item?: ConfigItem;
  diagnostics: Diagnostic[];
}

// The schema has checked the shape; these describe what it let through.
interface RawDocument {
  kind: "Stack" | "FlowControlPolicy" | "Gate" | "Settings";
  metadata: { name: string; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

interface RawStackSpec {
  kind: string;
  environment: string;
  dir?: string;
  paths?: string[];
  dependsOn?: string[];
  workflow?: string;
  gates?: string[];
}

interface RawGeneratorSpec {
  generate: { dirs: string; containing?: string; name: string; environment: string };
  kind: string;
  paths?: string[];
  dependsOn?: string[];
  workflow?: string;
  gates?: string[];
}

interface RawGateSpec {
  default: Gate["default"];
  window?: string;
  schedule?: GateScheduleEntry[];
  openers?: { teams?: string[]; users?: string[] };
  blocks?: GateBlock[];
}

export const DEFAULT_WORKFLOW = "flowgate.yml";

/**
 * `StackGenerator` has no field for its document's `metadata.name`, which generated stacks name as `generatedFrom`;
 * it travels as an extra property (kept by JSON round trips) until the shared type has one.
 */
type NamedGenerator = StackGenerator & { documentName?: string };

/** The `metadata.name` of the document that defined the generator (its file, if unknown). */
export function generatorName(g: StackGenerator): string {
  return (g as NamedGenerator).documentName ?? g.origin.file;
}
const ALL_BLOCKS: readonly GateBlock[] = ["merge", "apply"];

/** Builds the model object for a document that passed the schema. */
export function readDocument(value: unknown, origin: DocOrigin): ReadResult {
  const doc = value as RawDocument;
  switch (doc.kind) {
    case "Stack":
      return "generate" in doc.spec ? readGenerator(doc, origin) : readStack(doc, origin);
    case "FlowControlPolicy":
      return readPolicy(doc, origin);
    case "Gate":
      return readGate(doc, origin);
    case "Settings": {
      const spec = doc.spec as { unownedInfraFiles?: string[] };
      return {
        item: {
          kind: "settings",
          settings: { unownedInfraFiles: [...(spec.unownedInfraFiles ?? [])], origin },
        },
        diagnostics: [],
      };
    }
  }
}

/** The stack's directory when only `paths` is given: the fixed prefix of the first glob; `.` for the root. */
export function defaultDir(firstGlob: string): string {
  const prefix = literalDirPrefix(firstGlob).replace(/\/+$/, "");
  return prefix === "" ? "." : prefix;
}

function readStack(doc: RawDocument, origin: DocOrigin): ReadResult {
  const spec = doc.spec as unknown as RawStackSpec;
  const firstGlob = spec.paths?.[0];
  let dir: string;
  if (spec.dir !== undefined) {
    dir = spec.dir.replace(/\/+$/, "") || ".";
  } else if (firstGlob !== undefined) {
    dir = defaultDir(firstGlob);
    const problem = checkDir(dir);
    if (problem) {
      const message = `cannot take the stack's dir from paths[0]: "${dir}" ${problem}; set spec.dir`;
      return { diagnostics: [diagnosticAt(origin, ["spec", "paths", 0], "error", message)] };
    }
  } else {
    // The schema requires one of them; kept for callers that skip the schema.
    return { diagnostics: [diagnosticAt(origin, ["spec"], "error", 'spec needs "dir" or "paths"')] };
  }
  const paths = spec.paths && spec.paths.length > 0 ? [...spec.paths] : [dir === "." ? "**" : `${dir}/**`];
  const stack: Stack = {
    name: doc.metadata.name,
    kind: spec.kind,
    environment: spec.environment,
    dir,
    paths,
    dependsOn: [...(spec.dependsOn ?? [])],
    workflow: spec.workflow ?? DEFAULT_WORKFLOW,
    gates: [...(spec.gates ?? [])],
    origin,
  };
  return { item: { kind: "stack", stack }, diagnostics: [] };
}

function readGenerator(doc: RawDocument, origin: DocOrigin): ReadResult {
  const spec = doc.spec as unknown as RawGeneratorSpec;
  const generator: NamedGenerator = {
    documentName: doc.metadata.name,
    dirs: spec.generate.dirs,
    name: spec.generate.name,
    environment: spec.generate.environment,
    kind: spec.kind,
    origin,
  };
  if (spec.generate.containing !== undefined) generator.containing = spec.generate.containing;
  if (spec.paths !== undefined) generator.paths = [...spec.paths];
  if (spec.dependsOn !== undefined) generator.dependsOn = [...spec.dependsOn];
  if (spec.workflow !== undefined) generator.workflow = spec.workflow;
  if (spec.gates !== undefined) generator.gates = [...spec.gates];
  return { item: { kind: "generator", generator }, diagnostics: [] };
}

function withApproverDefaults(rules: ApprovalRule[] | undefined): ApprovalRule[] | undefined {
  return rules?.map((rule) => ({
    ...rule,
    approvers: { ...rule.approvers, minRequired: rule.approvers.minRequired ?? 1 },
  }));
}

function withFieldDefaults<T extends FlowFields>(fields: T): T {
  const out = { ...fields };
  if (fields.approvalRules) out.approvalRules = withApproverDefaults(fields.approvalRules);
  return out;
}

function readPolicy(doc: RawDocument, origin: DocOrigin): ReadResult {
  const diagnostics: Diagnostic[] = [];
  const spec = doc.spec as { selector: Selector; enforced?: boolean; flowControl: FlowControl };
  let enforced = spec.enforced ?? false;
  if (enforced && origin.level !== "organization") {
    const message = `enforced is only honoured in organization files; ignored in this ${origin.level} file`;
    diagnostics.push(diagnosticAt(origin, ["spec", "enforced"], "warning", message));
    enforced = false;
  }
  const flowControl: FlowControl = withFieldDefaults(spec.flowControl);
  if (flowControl.conditions) {
    // biome-ignore lint/suspicious/noThenProperty: the configuration's own field name (SPEC §2.1)
    flowControl.conditions = flowControl.conditions.map((c) => ({ ...c, then: withFieldDefaults(c.then) }));
  }
  if (flowControl.schedule) {
    flowControl.schedule = flowControl.schedule.map((s) => ({ ...s, policy: withFieldDefaults(s.policy) }));
  }
  if (flowControl.breakGlass !== undefined && origin.level === "repository") {
    const message = "breakGlass is only read from platform and organization files; ignored";
    diagnostics.push(diagnosticAt(origin, ["spec", "flowControl", "breakGlass"], "warning", message));
    delete flowControl.breakGlass;
  }
  const policy: Policy = {
    name: doc.metadata.name,
    annotations: { ...(doc.metadata.annotations ?? {}) },
    selector: { ...spec.selector },
    enforced,
    flowControl,
    origin,
  };
  return { item: { kind: "policy", policy }, diagnostics };
}

function readGate(doc: RawDocument, origin: DocOrigin): ReadResult {
  const spec = doc.spec as unknown as RawGateSpec;
  const name = origin.level === "organization" ? `org:${doc.metadata.name}` : doc.metadata.name;
  const gate: Gate = {
    name,
    default: spec.default,
    schedule: (spec.schedule ?? []).map((entry) => ({ ...entry })),
    blocks: [...(spec.blocks ?? ALL_BLOCKS)],
    origin,
  };
  if (spec.window !== undefined) gate.window = spec.window;
  if (spec.openers !== undefined) gate.openers = { ...spec.openers };
  return { item: { kind: "gate", gate }, diagnostics: [] };
}
