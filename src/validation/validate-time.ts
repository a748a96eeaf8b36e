/** Durations (`window`, `timeouts.*`, `planMaxAge`) and schedule windows (days, hours, timezone) of policies and gates. */

import { diagnosticAt } from "../config/diagnostics.js";
import { fieldSetsOf } from "../config/flow-fields.js";
import type { Diagnostic, DocOrigin, Gate, NodePath, Policy, ScheduleWindow } from "../config/types.js";
import { parseDuration } from "../lang/time/duration.js";
import { compileWindow } from "../lang/time/schedule.js";

function checkDuration(
  text: string | undefined,
  origin: DocOrigin,
  path: NodePath,
  found: Diagnostic[],
): void {
  if (text === undefined) return;
  const parsed = parseDuration(text);
  if (!parsed.ok)
    found.push(diagnosticAt(origin, path, "error", `${path[path.length - 1]}: ${parsed.error}`));
}

/** Points at the part of the window that is wrong: compiled alone, each field shows whether it is the culprit. */
function checkWindow(window: ScheduleWindow, origin: DocOrigin, path: NodePath, found: Diagnostic[]): void {
  const compiled = compileWindow({ days: window.days, hours: window.hours, timezone: window.timezone });
  if (compiled.ok) return;
  for (const part of ["days", "hours", "timezone"] as const) {
    const value = window[part];
    if (value === undefined) continue;
    if (!compileWindow({ [part]: value }).ok) {
      found.push(diagnosticAt(origin, [...path, part], "error", compiled.error));
      return;
    }
  }
  found.push(diagnosticAt(origin, path, "error", compiled.error));
}

export function checkPolicyTimes(policy: Policy): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const { fields, path } of fieldSetsOf(policy)) {
    for (const part of ["plan", "apply", "approval"] as const) {
      checkDuration(fields.timeouts?.[part], policy.origin, [...path, "timeouts", part], found);
    }
    checkDuration(fields.planMaxAge, policy.origin, [...path, "planMaxAge"], found);
  }
  policy.flowControl.schedule?.forEach((entry, i) => {
    checkWindow(entry, policy.origin, ["spec", "flowControl", "schedule", i], found);
  });
  return found;
}

export function checkGateTimes(gate: Gate): Diagnostic[] {
  const found: Diagnostic[] = [];
  checkDuration(gate.window, gate.origin, ["spec", "window"], found);
  gate.schedule.forEach((entry, i) => {
    checkWindow(entry, gate.origin, ["spec", "schedule", i], found);
  });
  return found;
}
