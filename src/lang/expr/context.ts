/**
 * ExprVars (plain numbers and strings) to the values CEL expects: `int` fields become bigint, absent variables stay
 * absent so that reading one is reported as missing rather than as a default.
 */
import type { Parsed } from "../../model/parsed.js";
import type { ExprVars } from "./types.js";

export function toCelContext(vars: ExprVars): Parsed<Record<string, unknown>> {
  const ctx: Record<string, unknown> = {};
  if (vars.plan !== undefined) {
    const { plan } = vars;
    const counts: Record<string, bigint> = {};
    for (const key of ["add", "change", "destroy", "replace"] as const) {
      const n = plan[key];
      if (!Number.isSafeInteger(n) || n < 0) {
        return { ok: false, error: `plan.${key} must be a whole number of resources, got ${String(n)}` };
      }
      counts[key] = BigInt(n);
    }
    ctx.plan = {
      ...counts,
      resources: plan.resources.map((r) => ({
        address: r.address,
        type: r.type,
        action: r.action,
        changedAttributes: [...r.changedAttributes],
      })),
    };
  }
  if (vars.estimatedCost !== undefined) {
    if (!Number.isFinite(vars.estimatedCost)) {
      return { ok: false, error: `estimatedCost must be a finite number, got ${String(vars.estimatedCost)}` };
    }
    ctx.estimatedCost = vars.estimatedCost;
  }
  if (vars.risk !== undefined) ctx.risk = vars.risk;
  if (vars.stack !== undefined) ctx.stack = { name: vars.stack.name, kind: vars.stack.kind };
  if (vars.environment !== undefined) ctx.environment = vars.environment;
  if (vars.files !== undefined) ctx.files = [...vars.files];
  if (vars.triggeredBy !== undefined) {
    // GitHub spells sender types "User" and "Bot"; expressions compare with "user" and "bot".
    const type = String(vars.triggeredBy.type).toLowerCase();
    if (type !== "user" && type !== "bot") {
      return {
        ok: false,
        error: `triggeredBy.type must be "user" or "bot", got ${JSON.stringify(vars.triggeredBy.type)}`,
      };
    }
    ctx.triggeredBy = { login: vars.triggeredBy.login, type };
  }
  if (vars.pr !== undefined) {
    ctx.pr = { author: vars.pr.author, labels: [...vars.pr.labels], baseRef: vars.pr.baseRef };
  }
  return { ok: true, value: ctx };
}
