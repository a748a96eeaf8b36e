/**
 * The variables a CEL expression (`if`, `when`) sees (SPEC §2.2), as plain data. Absent fields have no value yet
 * (no plan has run): an expression that needs one is reported as missing, which callers treat as false.
 */

export interface PlanResourceVar {
  address: string;
  type: string;
  action: string;
  changedAttributes: string[];
}

export interface PlanVar {
  add: number;
  change: number;
  destroy: number;
  replace: number;
  resources: PlanResourceVar[];
}

export type Risk = "low" | "medium" | "high";

export interface ExprVars {
  plan?: PlanVar;
  estimatedCost?: number;
  risk?: Risk;
  stack?: { name: string; kind: string };
  environment?: string;
  files?: string[];
  /** the person who caused the job (PR author or the commenter of `/apply`), never flowgate itself */
  triggeredBy?: { login: string; type: "user" | "bot" };
  pr?: { author: string; labels: string[]; baseRef: string };
}

export type ExprVarName = keyof ExprVars;
