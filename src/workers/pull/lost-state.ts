import type { Runtime } from "../../runtime/runtime.js";

/**
 * When Redis came back without this installation's state while GitHub shows flowgate had been at
 * work, manual gate toggles were lost: gates count as closed until an opener sets them again (SPEC §7).
 */
export async function lostGateStateSince(rt: Runtime, installationId: number): Promise<Date | undefined> {
  return rt.installations.lostSince(installationId);
}

/** Jobs made while recovering from lost state look for an existing run before dispatching. */
export async function inRecovery(rt: Runtime, installationId: number): Promise<boolean> {
  const since = await lostGateStateSince(rt, installationId);
  return since !== undefined && recoveringSince(since, rt.clock.now());
}

/** Recovery lasts a week after the state was lost. */
export function recoveringSince(lostSince: Date, now: Date): boolean {
  return now.getTime() - lostSince.getTime() < 7 * 86_400_000;
}
