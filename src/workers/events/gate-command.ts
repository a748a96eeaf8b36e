import { mayOpenGate } from "../../engine/authority.js";
import { olderThanToggle, toggleExpiry } from "../../engine/gates.js";
import type { GitHubPort } from "../../github/port.js";
import { formatDuration } from "../../lang/time/duration.js";
import type { Runtime } from "../../runtime/runtime.js";
import { keys } from "../../state/keys.js";
import type { FlowgateEvent } from "../../webhooks/events.js";
import { isTeamMember, permissionOf } from "../pull/people.js";
import { requestPullEvaluation } from "../request.js";

type CommentEvent = Extract<FlowgateEvent, { type: "comment" }>;

import type { CommandReply } from "../../runtime/wiring.js";

export type { CommandReply };

/**
 * `/open-gate NAME [DURATION]` and `/close-gate NAME [DURATION]` (SPEC §3.2): by the gate's openers
 * only, in any issue or PR comment; everything the gate holds is re-evaluated at once.
 */
export async function gateCommand(
  rt: Runtime,
  port: GitHubPort,
  event: CommentEvent,
  command: { name: "open-gate" | "close-gate"; gate: string; durationMs?: number },
): Promise<CommandReply> {
  const { repo, comment } = event;
  const now = rt.clock.now();
  const config = await rt.config.read((ref) => rt.github(ref), repo, { ref: repo.defaultBranch, now });
  const gate = config.gates.get(command.gate);
  const state = command.name === "open-gate" ? "open" : "closed";
  if (!gate) {
    const known = [...config.gates.keys()].join(", ") || "none";
    return { ok: false, message: `there is no gate named \`${command.gate}\` (gates: ${known})` };
  }
  const teams: string[] = [];
  for (const team of gate.openers?.teams ?? []) {
    if (await isTeamMember(rt, port, repo.owner, team, comment.login)) teams.push(team);
  }
  const isOrg = gate.name.startsWith("org:");
  const who = {
    login: comment.login,
    permission: await permissionOf(rt, port, repo.repoId, comment.login),
    teams,
    isOrgOwner: isOrg
      ? await rt.facts.get(keys.orgOwner(repo.owner, comment.login), () =>
          port.isOrgOwner(repo.owner, comment.login),
        )
      : false,
  };
  const allowed = mayOpenGate(gate, who);
  if (!allowed.allowed) {
    await rt.audit.record({
      type: "gate-refused",
      repo: `${repo.owner}/${repo.repo}`,
      actor: comment.login,
      decision: `${state} ${gate.name}`,
      reason: allowed.reason,
    });
    return {
      ok: false,
      message: `you may not ${command.name === "open-gate" ? "open" : "close"} gate \`${gate.name}\`: ${allowed.reason}`,
    };
  }
  const current = await rt.gates.toggle(gate.name, repo.owner, repo.repoId);
  if (olderThanToggle(current, comment.createdAt, comment.id)) {
    await rt.audit.record({
      type: "gate-refused",
      repo: `${repo.owner}/${repo.repo}`,
      actor: comment.login,
      decision: `${state} ${gate.name}`,
      reason: `a command of ${comment.createdAt} is older than the gate's last change (${current?.command?.at})`,
    });
    return {
      ok: false,
      message: `this command (${comment.createdAt}) is older than the last change of gate \`${gate.name}\` (${current?.state} by @${current?.by} at ${current?.command?.at}): not applied`,
    };
  }
  const until = toggleExpiry(gate, now, command.durationMs);
  await rt.gates.setToggle(gate.name, repo.owner, repo.repoId, {
    state,
    at: now,
    by: comment.login,
    ...(until ? { until } : {}),
    command: { at: comment.createdAt, id: comment.id },
  });
  await rt.audit.record({
    type: state === "open" ? "gate-opened" : "gate-closed",
    repo: `${repo.owner}/${repo.repo}`,
    actor: comment.login,
    decision: `${state} ${gate.name}`,
    reason: until ? `until ${until.toISOString()}` : "until the next toggle",
  });
  const holders = await rt.gates.holders(gate.name, repo.owner, repo.repoId);
  const jobIds: string[] = [];
  for (const h of holders) {
    if (h.kind === "pull") {
      const record = await rt.pulls.get(h.repoId, h.number);
      if (record?.facts.state === "open")
        await requestPullEvaluation(rt, record.repo, h.number, `gate ${gate.name} ${state}`);
      else await rt.gates.release(gate.name, repo.owner, repo.repoId, h);
    } else jobIds.push(h.jobId);
  }
  await rt.wiring.onGateChanged(rt, jobIds);
  // The PR the command was made on may not be a holder yet.
  if (event.isPull) {
    const record = await rt.pulls.get(repo.repoId, event.number);
    if (record) await requestPullEvaluation(rt, record.repo, event.number, `gate ${gate.name} ${state}`);
  }
  const duration = until
    ? ` for ${formatDuration(until.getTime() - now.getTime())} (until ${until.toISOString()})`
    : " until someone changes it";
  return { ok: true, message: `gate \`${gate.name}\` is ${state}${duration}, set by @${comment.login}` };
}
