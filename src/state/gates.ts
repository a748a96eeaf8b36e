import type { Redis } from "ioredis";
import type { GateToggle } from "../engine/gates.js";
import { keys } from "./keys.js";

interface StoredToggle {
  state: GateToggle["state"];
  at: string;
  until?: string;
  by: string;
  reason?: string;
  command?: { at: string; id: number };
}

/** Organization gates (`org:NAME`) are shared by every repository of the organization (SPEC §3.2). */
export function gateScope(gate: string, owner: string, repoId: number): { scope: string; name: string } {
  return gate.startsWith("org:")
    ? { scope: `org-${owner.toLowerCase()}`, name: gate.slice(4) }
    : { scope: `repo-${repoId}`, name: gate };
}

/** What holds on a gate: PRs and stack jobs to re-evaluate the moment it changes. */
export type GateHolder = { kind: "pull"; repoId: number; number: number } | { kind: "job"; jobId: string };

export class GateStore {
  constructor(private readonly redis: Redis) {}

  async toggle(gate: string, owner: string, repoId: number): Promise<GateToggle | undefined> {
    const { scope, name } = gateScope(gate, owner, repoId);
    const raw = await this.redis.get(keys.gate(scope, name));
    if (!raw) return undefined;
    const t = JSON.parse(raw) as StoredToggle;
    return {
      state: t.state,
      at: new Date(t.at),
      by: t.by,
      ...(t.until ? { until: new Date(t.until) } : {}),
      ...(t.reason ? { reason: t.reason } : {}),
      ...(t.command ? { command: t.command } : {}),
    };
  }

  async setToggle(gate: string, owner: string, repoId: number, toggle: GateToggle): Promise<void> {
    const { scope, name } = gateScope(gate, owner, repoId);
    const stored: StoredToggle = {
      state: toggle.state,
      at: toggle.at.toISOString(),
      by: toggle.by,
      ...(toggle.until ? { until: toggle.until.toISOString() } : {}),
      ...(toggle.reason ? { reason: toggle.reason } : {}),
      ...(toggle.command ? { command: toggle.command } : {}),
    };
    await this.redis.set(keys.gate(scope, name), JSON.stringify(stored));
  }

  async hold(gate: string, owner: string, repoId: number, holder: GateHolder): Promise<void> {
    const { scope, name } = gateScope(gate, owner, repoId);
    const key = keys.gateHolds(scope, name);
    await Promise.all([this.redis.sadd(key, JSON.stringify(holder)), this.redis.expire(key, 30 * 24 * 3600)]);
  }

  async release(gate: string, owner: string, repoId: number, holder: GateHolder): Promise<void> {
    const { scope, name } = gateScope(gate, owner, repoId);
    await this.redis.srem(keys.gateHolds(scope, name), JSON.stringify(holder));
  }

  async holders(gate: string, owner: string, repoId: number): Promise<GateHolder[]> {
    const { scope, name } = gateScope(gate, owner, repoId);
    return (await this.redis.smembers(keys.gateHolds(scope, name))).map((h) => JSON.parse(h) as GateHolder);
  }
}
