/**
 * The configuration model: what flowgate reads from `.github/flowgate/*.yml` (SPEC §2).
 * Plain data only; every document keeps its origin so errors and provenance can name file and line.
 */

import type { OnFailure, Progression, Rollout, VerifyCheck } from "./after-apply-types.js";

export type {
  HttpProbe,
  OnFailure,
  ProbeTiming,
  Progression,
  PrometheusProbe,
  Rollout,
  VerifyCheck,
  VerifyKind,
  WorkflowProbe,
} from "./after-apply-types.js";

/** Where a configuration file comes from, least to most specific (SPEC §2). */
export type Level = "platform" | "organization" | "repository";
export const LEVELS: readonly Level[] = ["platform", "organization", "repository"];

export interface Position {
  /** 1-based */
  line: number;
  /** 1-based */
  col: number;
}

/** A path into a YAML document, as ajv and our own checks name it: `["spec", "dependsOn", 1]`. */
export type NodePath = readonly (string | number)[];

/** The document a value came from. `pos` maps a path inside the document to its line and column. */
export interface DocOrigin {
  file: string;
  level: Level;
  /** 0-based index of the document inside a multi-document file */
  index: number;
  pos(path: NodePath): Position;
}

export type Severity = "error" | "warning";

export interface Diagnostic {
  severity: Severity;
  file: string;
  line: number;
  col: number;
  message: string;
}

/** A duration such as `30s`, `30m`, `2h`, `1d`, `1h30m`. */
export type DurationText = string;

export interface Stack {
  name: string;
  /** resource kind, matched by policy selectors (`aws_rds`, ...) */
  kind: string;
  environment: string;
  /** the workflow's `path` input */
  dir: string;
  /** minimatch globs relative to the repository root */
  paths: string[];
  dependsOn: string[];
  /** workflow file name under .github/workflows */
  workflow: string;
  gates: string[];
  origin: DocOrigin;
  /** set for stacks made by a `generate` document */
  generatedFrom?: string;
}

/** `spec.generate` of a Stack document: one stack per matching directory (SPEC §2.1). */
export interface StackGenerator {
  /** glob over directories, `infra/*\/*`; `{n}` in templates is the n-th `*` */
  dirs: string;
  /** glob a file directly inside the directory must match, e.g. `*.tf` */
  containing?: string;
  /** templates: `{1}`, `{2}`, ... and `{dir}` */
  name: string;
  environment: string;
  kind: string;
  paths?: string[];
  dependsOn?: string[];
  workflow?: string;
  gates?: string[];
  /** the generator document's metadata.name, shown as the provenance of the stacks it makes */
  documentName?: string;
  origin: DocOrigin;
}

/** The five flow controls of SPEC §4, in the order a job meets them. */
export const CONTROL_NAMES = [
  "isManual",
  "disableOnLifecycleEvents",
  "skipRefresh",
  "previewBeforeUpdateOrDestroy",
  "pauseBetweenPreviewAndUpdateOrDestroy",
] as const;
export type ControlName = (typeof CONTROL_NAMES)[number];

/** Controls that act before a plan exists: a condition reading the plan cannot set them (SPEC §2.2). */
export const PRE_PLAN_FIELDS: readonly FlowFieldName[] = [
  "isManual",
  "disableOnLifecycleEvents",
  "skipRefresh",
  "previewBeforeUpdateOrDestroy",
];

export type Permission = "read" | "triage" | "write" | "maintain" | "admin";

export interface Approvers {
  /** distinct people needed; default 1 */
  minRequired: number;
  fromTeams?: string[];
  fromUsers?: string[];
  /** let an author of the PR approve; default false */
  allowAuthor?: boolean;
  /** lowest repository permission an approver needs; default `write` */
  minPermission?: Permission;
}

export interface ApprovalRule {
  /** CEL; a rule without `if` always applies */
  if?: string;
  approvers: Approvers;
}

export type MergeMethod = "merge" | "squash" | "rebase";

export interface AutoMerge {
  enabled: boolean;
  /** CEL; must hold too */
  when?: string;
  method?: MergeMethod;
}

export interface BreakGlass {
  allowedTeams?: string[];
  allowedUsers?: string[];
  /** teams or users to mention, `@acme/security`, `@alice` */
  notify?: string[];
}

export interface Timeouts {
  plan?: DurationText;
  apply?: DurationText;
  approval?: DurationText;
}

/** Every field a policy (or one of its conditions or schedule entries) can set. */
export interface FlowFields {
  isManual?: boolean;
  disableOnLifecycleEvents?: boolean;
  skipRefresh?: boolean;
  previewBeforeUpdateOrDestroy?: boolean;
  pauseBetweenPreviewAndUpdateOrDestroy?: boolean;
  /** union of the stack's and every policy's gates */
  gates?: string[];
  approvalRules?: ApprovalRule[];
  autoMerge?: AutoMerge;
  /** honoured only from platform and organization files */
  breakGlass?: BreakGlass;
  timeouts?: Timeouts;
  /** a saved plan older than this is planned again before apply; default 24h */
  planMaxAge?: DurationText;
  /** checks that must hold after a successful apply before the stack counts as applied (a list: replaces) */
  verify?: VerifyCheck[];
  /** what a failed verification does; default `hold` */
  onFailure?: OnFailure;
  /** environments whose verified apply of the same commit the stack waits for */
  progression?: Progression;
  /** waves of the stacks of one environment that a commit touches together */
  rollout?: Rollout;
}
export type FlowFieldName = keyof FlowFields;
export const FLOW_FIELD_NAMES: readonly FlowFieldName[] = [
  ...CONTROL_NAMES,
  "gates",
  "approvalRules",
  "autoMerge",
  "breakGlass",
  "timeouts",
  "planMaxAge",
  "verify",
  "onFailure",
  "progression",
  "rollout",
];

export interface Condition {
  if: string;
  then: FlowFields;
}

/** Shared by policy and gate schedules. Absent `days` or `hours` means every day or hour. */
export interface ScheduleWindow {
  /** `mon-fri`, `sat,sun` */
  days?: string;
  /** half-open local hours: `9-17`, `0-9,17-24` */
  hours?: string;
  /** IANA name; default UTC */
  timezone?: string;
}

export interface PolicyScheduleEntry extends ScheduleWindow {
  policy: FlowFields;
}

export interface FlowControl extends FlowFields {
  conditions?: Condition[];
  schedule?: PolicyScheduleEntry[];
}

/** `platform` | `organization` | `environment` | `configuration` | a resource kind such as `aws_rds`. */
export interface Selector {
  kind: string;
  /** may be a glob; optional for `platform` and `configuration` */
  id?: string;
}

export interface Policy {
  name: string;
  annotations: Record<string, string>;
  selector: Selector;
  /** organization level only: fields it sets cannot be changed above it */
  enforced: boolean;
  flowControl: FlowControl;
  origin: DocOrigin;
}

export type GateState = "open" | "closed";
export type GateBlock = "merge" | "apply";

export interface GateScheduleEntry extends ScheduleWindow {
  state: GateState;
}

export interface Gate {
  /** `org:NAME` for gates defined in the organization's `.github` repository */
  name: string;
  default: GateState;
  /** after a manual open/close, reset to default after this long */
  window?: DurationText;
  schedule: GateScheduleEntry[];
  /** who may open/close it; default: admin or maintain permission (org gates: organization owners) */
  openers?: { teams?: string[]; users?: string[] };
  blocks: GateBlock[];
  origin: DocOrigin;
}

export interface Settings {
  /** globs of infrastructure files that must belong to some stack */
  unownedInfraFiles: string[];
  origin: DocOrigin;
}

/** One configuration source (a folder, a repository's `.github/flowgate/`), loaded. */
export interface ConfigSet {
  stacks: Stack[];
  generators: StackGenerator[];
  policies: Policy[];
  gates: Gate[];
  settings: Settings[];
  /** errors and warnings found while loading (YAML, schema, per-document checks) */
  diagnostics: Diagnostic[];
  /** files read, in order */
  files: string[];
}

/** An in-memory file, as the GitHub loader or the folder loader hands it over. */
export interface ConfigFile {
  path: string;
  content: string;
  level: Level;
}

/** A parse result that carries its error as a value: bad input is never an exception. */
export type { Parsed } from "../model/parsed.js";
