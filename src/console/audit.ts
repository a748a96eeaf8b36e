/** The audit log, limited to the person's repositories and filtered as the audit view asks. */

import type { AuditEntry } from "../observability/audit.js";
import type { Runtime } from "../runtime/runtime.js";
import type { Person } from "./identity.js";

export interface AuditFilters {
  repo?: string;
  stack?: string;
  actor?: string;
  type?: string;
  sinceHours?: number;
}

export async function auditEntries(rt: Runtime, person: Person, f: AuditFilters): Promise<AuditEntry[]> {
  const from = new Date(rt.clock.now().getTime() - (f.sinceHours ?? 24 * 7) * 3600_000);
  const entries = await rt.audit.since(from, 20_000);
  return entries
    .filter((e) => e.repo !== undefined && person.repos.has(e.repo.toLowerCase()))
    .filter((e) => !f.repo || e.repo?.toLowerCase() === f.repo.toLowerCase())
    .filter((e) => !f.stack || e.stack === f.stack)
    .filter((e) => !f.actor || e.actor?.toLowerCase() === f.actor.toLowerCase().replace(/^@/, ""))
    .filter((e) => !f.type || e.type === f.type)
    .reverse();
}
