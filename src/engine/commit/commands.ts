import type { Permission } from "../../config/types.js";
import { permissionAtLeast } from "../authority.js";
import { type Command, scopeStacks } from "../commands.js";
import type { StackJob } from "../stack-job/types.js";

/** What a command on a merged PR does to one of its merge commit's jobs. */
export type MergedIntent =
  | { kind: "start"; job: StackJob }
  | { kind: "approve"; job: StackJob }
  | { kind: "reject"; job: StackJob; reason: string }
  | { kind: "retry"; job: StackJob }
  | { kind: "cancel"; job: StackJob }
  /** a revert pull request for the stack's files (issue 13) */
  | { kind: "revert"; job: StackJob }
  /** nothing to do, or refused: the line says why */
  | { kind: "answer"; job: StackJob; text: string; ok: boolean };

export interface MergedCommandFacts {
  command: Command;
  jobs: readonly StackJob[];
  /** the commenter's permission on the repository */
  permission: Permission | "none";
  /** for `/apply` and `/reject`: whether the commenter may approve each job's stack, and why not */
  eligibility: Readonly<Record<string, { allowed: boolean; reason: string }>>;
}

/** Who must be looked up before a merged-PR command can be decided. */
export function needsEligibility(command: Command): boolean {
  return command.name === "apply" || command.name === "reject" || command.name === "revert";
}

/** The jobs whose eligibility the decision reads: those the command names, and for `/apply` only the ones waiting to start. */
export function eligibilityNeeded(command: Command, jobs: readonly StackJob[]): StackJob[] {
  const { stacks } = scopeStacks(
    command,
    jobs.map((j) => j.stack),
  );
  return jobs.filter(
    (j) =>
      stacks.includes(j.stack) &&
      (command.name !== "apply" || j.status === "pending" || j.status === "awaiting_start"),
  );
}

/**
 * `/apply`, `/approve`, `/reject`, `/retry`, `/cancel` on a merged PR (SPEC §3.2): what each does to
 * the jobs it names, decided from the jobs' states and the commenter's rights; nothing is carried out.
 */
export function decideMergedCommand(facts: MergedCommandFacts): {
  intents: MergedIntent[];
  unknown: string[];
} {
  const { command, jobs } = facts;
  const scope = scopeStacks(
    command,
    jobs.map((j) => j.stack),
  );
  const several = scope.stacks.length > 1;
  const intents = jobs
    .filter((j) => scope.stacks.includes(j.stack))
    .map((job): MergedIntent => {
      const answer = (text: string, ok: boolean): MergedIntent => ({ kind: "answer", job, text, ok });
      const eligible = facts.eligibility[job.id] ?? { allowed: false, reason: "eligibility unknown" };
      switch (command.name) {
        case "apply":
          if (job.status !== "pending" && job.status !== "awaiting_start")
            return answer(`nothing to start (${job.status})`, several);
          return eligible.allowed ? { kind: "start", job } : answer(`refused: ${eligible.reason}`, false);
        case "approve":
          if (job.status !== "awaiting_approval")
            return answer(`not waiting for approval (${job.status})`, several);
          return { kind: "approve", job };
        case "reject":
          if (!eligible.allowed) return answer(`refused: ${eligible.reason}`, false);
          return { kind: "reject", job, reason: `rejected${command.reason ? `: ${command.reason}` : ""}` };
        case "revert":
          if (job.status !== "succeeded")
            return answer(`nothing to revert: it was not applied (${job.status})`, several);
          return eligible.allowed ? { kind: "revert", job } : answer(`refused: ${eligible.reason}`, false);
        case "retry":
        case "cancel":
          if (!permissionAtLeast(facts.permission, "write"))
            return answer(`refused: needs write permission, you have ${facts.permission}`, false);
          return { kind: command.name, job };
        default:
          return answer(`\`/${command.name}\` has no effect after the merge`, false);
      }
    });
  return { intents, unknown: scope.unknown };
}
