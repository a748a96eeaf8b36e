import type { ApprovalEvent, StackApproval } from "../approvals.js";
import { type CommandRequest, scopeStacks } from "../commands.js";

/** An approval the whole PR needs besides its stacks' (SPEC §2.1 unowned files, §2.3 configuration). */
export interface PullLevelApproval {
  label: string;
  approval: StackApproval;
}

/** The approval event an `/approve` or `/reject` comment becomes (SPEC §3.1). */
export function approvalEventOf(request: CommandRequest, affected: readonly string[]): ApprovalEvent {
  const { command } = request;
  const scope = scopeStacks(command, affected);
  const reason = command.name === "reject" ? (scope.reason ?? command.reason) : undefined;
  const narrowed =
    scope.stacks.length < affected.length || (command.name === "approve" && command.args.length > 0);
  return {
    id: `comment-${request.id}`,
    kind: command.name === "approve" ? "approve" : "reject",
    source: "comment",
    login: request.login,
    isBot: false,
    at: new Date(request.at),
    headSha: request.headSha,
    seq: request.commentId,
    ...(narrowed ? { stacks: scope.stacks } : {}),
    ...(reason ? { reason } : {}),
  };
}

/** After counting: what each `/approve` or `/reject` did, per stack (SPEC §3.1). */
export function answerApprovalRequests(
  requests: readonly CommandRequest[],
  affected: readonly string[],
  approvals: readonly StackApproval[],
  pullLevel: readonly PullLevelApproval[],
): { requestId: string; ok: boolean; lines: string[] }[] {
  return requests.map((request) => {
    const scope = scopeStacks(request.command, affected);
    const event = approvalEventOf(request, affected);
    const general = event.stacks === undefined;
    const lines: string[] = [];
    let ok = scope.unknown.length === 0;
    if (scope.unknown.length)
      lines.push(`- not affected by this PR, ignored: ${scope.unknown.map((s) => `\`${s}\``).join(", ")}`);
    const answers = [
      ...approvals.filter((x) => scope.stacks.includes(x.stack)).map((a) => ({ label: `\`${a.stack}\``, a })),
      ...(general ? pullLevel.map((p) => ({ label: p.label, a: p.approval })) : []),
    ];
    for (const { label, a } of answers) {
      const counted = a.counted.find((c) => c.eventId === event.id);
      const refused = a.refused.find((x) => x.eventId === event.id);
      const blocking = a.blockedBy.find((b) => b.eventId === event.id);
      if (counted) lines.push(`- ${label}: counted (${a.counted.length} of ${a.required})`);
      else if (blocking)
        lines.push(`- ${label}: rejection recorded; it blocks until you approve or a new commit is pushed`);
      else if (refused) {
        ok = false;
        lines.push(`- ${label}: not counted: ${refused.reason}`);
      } else if (a.required === 0) lines.push(`- ${label}: no approval needed`);
      else lines.push(`- ${label}: already counted from an earlier approval of yours`);
    }
    if (answers.length === 0 && !scope.unknown.length) lines.push("- no stack is affected by this PR");
    return { requestId: request.id, ok, lines };
  });
}
