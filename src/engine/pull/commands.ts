import type { Permission, Stack } from "../../config/types.js";
import type { ApprovalEvent } from "../approvals.js";
import { mayBreakGlass, mayPlanFork, permissionAtLeast } from "../authority.js";
import { type CommandRequest, scopeStacks } from "../commands.js";
import type { Resolution } from "../resolve/resolve.js";
import type { StackJob } from "../stack-job/types.js";
import { approvalEventOf } from "./approval-replies.js";

/** A stack the PR touches, as the commands see it. */
export interface CommandStack {
  stack: Stack;
  resolution: Resolution;
  /** the plan job for the current head */
  planJob?: StackJob;
}

export interface CommandFacts {
  pull: { facts: { number: number; headSha: string; fork: boolean }; headPushedAt?: string };
  stacks: readonly CommandStack[];
  requests: readonly CommandRequest[];
  /** permission of each person who asked for something that needs one */
  permissions: Readonly<Record<string, Permission | "none">>;
  /** for `/override`: the break-glass teams each requester belongs to */
  teams: Readonly<Record<string, readonly string[]>>;
}

export interface PlanStart {
  stack: Stack;
  resolution: Resolution;
  sha: string;
  attempt: number;
}

/** What one command comes to; `answered` ones are finished after being carried out. */
export type CommandIntent =
  /** `/approve`, `/reject`: an approval event, answered after counting */
  | { kind: "record-approval"; request: CommandRequest; event: ApprovalEvent }
  | { kind: "answer"; request: CommandRequest; ok: boolean; lines: string[] }
  | { kind: "start-plans"; request: CommandRequest; starts: PlanStart[]; ok: boolean; lines: string[] }
  | {
      kind: "cancel-plans";
      request: CommandRequest;
      jobs: { stack: string; jobId?: string }[];
      lines: string[];
    }
  | { kind: "override"; request: CommandRequest; stacks: readonly CommandStack[]; notify: string[] }
  | { kind: "override-refused"; request: CommandRequest; refusals: string[] }
  | { kind: "finish"; request: CommandRequest };

const FINISHED = ["succeeded", "failed", "timed_out", "cancelled", "superseded"];
const RETRYABLE = ["failed", "timed_out", "cancelled"];

/**
 * A comment made before the current head was pushed, whose webhook arrived after the push was seen:
 * its author saw an older head, so it must not act on this one (SPEC §3: a `/plan` plans the head as it
 * was when the comment was made).
 */
function headMoved(request: CommandRequest, facts: CommandFacts): string | undefined {
  const { headSha } = facts.pull.facts;
  if (request.headSha !== headSha)
    return `- the head moved since your comment (${request.headSha.slice(0, 7)} → ${headSha.slice(0, 7)}); comment again`;
  const at = Date.parse(request.at);
  const pushed = Date.parse(facts.pull.headPushedAt ?? "");
  if (Number.isFinite(at) && Number.isFinite(pushed) && at < pushed)
    return `- the head moved since your comment (${headSha.slice(0, 7)} was pushed after it); comment again`;
  return undefined;
}

function attemptOf(jobId: string | undefined): number {
  return jobId ? Number(/-(\d+)$/.exec(jobId)?.[1] ?? 1) : 0;
}

function planOrRetry(request: CommandRequest, facts: CommandFacts, names: string[]): CommandIntent {
  const { command } = request;
  const permission = facts.permissions[request.login] ?? "none";
  const fork = facts.pull.facts.fork;
  if (!(fork ? mayPlanFork(permission) : permissionAtLeast(permission, "write"))) {
    const need = fork ? "admin or maintain permission (this PR is from a fork)" : "write permission";
    return {
      kind: "answer",
      request,
      ok: false,
      lines: [`- refused: \`/${command.name}\` needs ${need}; you have ${permission}`],
    };
  }
  const scope = scopeStacks(command, names);
  const lines = unknownNote(scope.unknown);
  const starts: PlanStart[] = [];
  for (const name of scope.stacks) {
    const a = facts.stacks.find((x) => x.stack.name === name)!;
    const job = a.planJob;
    if (!a.resolution.flow.previewBeforeUpdateOrDestroy)
      lines.push(`- \`${name}\`: no plan (previewBeforeUpdateOrDestroy is false)`);
    else if (command.name === "retry" && !(job && RETRYABLE.includes(job.status)))
      lines.push(`- \`${name}\`: nothing to retry (${job ? job.status : "no plan yet"})`);
    else if (job && !FINISHED.includes(job.status))
      lines.push(`- \`${name}\`: a plan is already ${job.status}`);
    else {
      starts.push({
        stack: a.stack,
        resolution: a.resolution,
        sha: request.headSha,
        attempt: attemptOf(job?.id) + 1,
      });
      lines.push(`- \`${name}\`: plan started for ${request.headSha.slice(0, 7)}`);
    }
  }
  return { kind: "start-plans", request, starts, ok: scope.unknown.length === 0, lines };
}

function unknownNote(unknown: readonly string[]): string[] {
  return unknown.length
    ? [`- not affected by this PR, ignored: ${unknown.map((s) => `\`${s}\``).join(", ")}`]
    : [];
}

function override(request: CommandRequest, facts: CommandFacts): CommandIntent {
  const refusals: string[] = [];
  const notify = new Set<string>();
  const teams = facts.teams[request.login] ?? [];
  for (const a of facts.stacks) {
    const bg = a.resolution.flow.breakGlass;
    const mine = (bg?.allowedTeams ?? []).filter((t) => teams.includes(t));
    const decision = mayBreakGlass(bg, { login: request.login, teams: mine });
    if (!decision.allowed) refusals.push(`- \`${a.stack.name}\`: ${decision.reason}`);
    for (const n of bg?.notify ?? []) notify.add(n);
  }
  if (facts.stacks.length === 0) refusals.push("- no stack is affected: there is nothing to override");
  if (refusals.length) return { kind: "override-refused", request, refusals };
  return { kind: "override", request, stacks: facts.stacks, notify: [...notify] };
}

/** What each queued command does (SPEC §3.2), decided from the facts; nothing is carried out here. */
export function decideCommands(facts: CommandFacts): CommandIntent[] {
  const names = facts.stacks.map((a) => a.stack.name);
  return facts.requests.map((request): CommandIntent => {
    const { command } = request;
    if (command.name === "approve" || command.name === "reject")
      return { kind: "record-approval", request, event: approvalEventOf(request, names) };
    const moved = headMoved(request, facts);
    if (moved) return { kind: "answer", request, ok: false, lines: [moved] };
    switch (command.name) {
      case "plan":
      case "retry":
        return planOrRetry(request, facts, names);
      case "cancel": {
        const permission = facts.permissions[request.login] ?? "none";
        if (!permissionAtLeast(permission, "write"))
          return {
            kind: "answer",
            request,
            ok: false,
            lines: [`- refused: \`/cancel\` needs write permission; you have ${permission}`],
          };
        const scope = scopeStacks(command, names);
        const jobs = scope.stacks.map((stack) => {
          const jobId = facts.stacks.find((x) => x.stack.name === stack)?.planJob?.id;
          return { stack, ...(jobId ? { jobId } : {}) };
        });
        return { kind: "cancel-plans", request, jobs, lines: unknownNote(scope.unknown) };
      }
      case "override":
        return override(request, facts);
      default:
        // commands that act elsewhere (gates, applies, help) are only finished here
        return { kind: "finish", request };
    }
  });
}

/** Who must be looked up before the commands can be decided: permissions, and break-glass team membership. */
export function commandLookups(
  requests: readonly CommandRequest[],
  stacks: readonly CommandStack[],
): { permissionsOf: string[]; teamsOf: { login: string; teams: string[] }[] } {
  const permissionsOf = new Set<string>();
  const teamsOf: { login: string; teams: string[] }[] = [];
  const breakGlassTeams = [
    ...new Set(stacks.flatMap((a) => a.resolution.flow.breakGlass?.allowedTeams ?? [])),
  ];
  for (const r of requests) {
    const name = r.command.name;
    if (name === "plan" || name === "retry" || name === "cancel") permissionsOf.add(r.login);
    if (name === "override" && breakGlassTeams.length)
      teamsOf.push({ login: r.login, teams: breakGlassTeams });
  }
  return { permissionsOf: [...permissionsOf], teamsOf };
}
