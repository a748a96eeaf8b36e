/**
 * What a policy says about the time after a successful apply (issue #13): checks that must hold before the stack
 * counts as applied, what happens when they fail, the environments it waits for, and waves of a rollout.
 * Plain data as written in the policy; durations stay text (`30s`, `5m`).
 */

/** `${env.NAME}` may appear in URLs and header values; NAME must start with this prefix (see `ENV_REFERENCE`). */
export const VERIFY_ENV_PREFIX = "FLOWGATE_VERIFY_";

/** Settings shared by the probes that flowgate runs itself (`http`, `prometheus`). */
export interface ProbeTiming {
  /** time between two samples; default 30s */
  interval?: string;
  /** how long the check must keep holding, from the first sample; absent: one passing sample is enough */
  for?: string;
  /** limit of one request; default 10s, at most 60s */
  timeout?: string;
  /** failed samples tolerated before the check fails; default 0 */
  failureLimit?: number;
}

export interface HttpProbe extends ProbeTiming {
  /** http(s) URL; may contain `${env.NAME}` */
  url: string;
  /** default 200 */
  expectStatus?: number;
  /** CEL over `status` (int) and `body` (the JSON body); must hold too */
  condition?: string;
  /** header values may contain `${env.NAME}`; credentials must come from there */
  headers?: Record<string, string>;
}

export interface PrometheusProbe extends ProbeTiming {
  /** base URL of the Prometheus HTTP API, e.g. `https://prometheus.example.com`; may contain `${env.NAME}` */
  server: string;
  /** an instant PromQL query */
  query: string;
  /** CEL over `result`: a list of `{metric, value}` for a vector, a number for a scalar */
  condition: string;
  headers?: Record<string, string>;
}

export interface WorkflowProbe {
  /** a workflow file under .github/workflows, dispatched like a stack job; its result.json carries the outcome */
  file: string;
  /** extra string inputs */
  inputs?: Record<string, string>;
}

/** One entry of `verify`: exactly one of `http`, `prometheus`, `workflow`. */
export interface VerifyCheck {
  /** shown in checks and comments; default: the kind and its position, e.g. `http 1` */
  name?: string;
  http?: HttpProbe;
  prometheus?: PrometheusProbe;
  workflow?: WorkflowProbe;
}

export const VERIFY_KINDS = ["http", "prometheus", "workflow"] as const;
export type VerifyKind = (typeof VERIFY_KINDS)[number];

/** On a failed verification: `hold` stops and asks a person; `revert` opens a pull request reverting the change. */
export type OnFailure = "hold" | "revert";

export interface Progression {
  /** environments whose verified apply of the same commit this stack waits for */
  after: string[];
  /** how long to wait after the last of them was verified */
  soak?: string;
}

export interface Rollout {
  /** sizes of the first waves; the rest go in the last wave. Empty: all at once */
  waves: number[];
}
