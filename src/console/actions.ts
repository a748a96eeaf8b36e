/**
 * Console actions, carried out by the very functions the comment commands use, so the same
 * eligibility rules and the same refusal reasons apply; the person's GitHub login is the actor.
 */

import type { StackJob } from "../engine/stack-job/types.js";
import type { Runtime } from "../runtime/runtime.js";
import type { FlowgateEvent } from "../webhooks/events.js";
import { mergedPullCommand } from "../workers/apply/commands.js";
import { type CommandReply, gateCommand } from "../workers/events/gate-command.js";
import type { Person } from "./identity.js";
import { repoName } from "./identity.js";

type CommentEvent = Extract<FlowgateEvent, { type: "comment" }>;

let sequence = 0;
/** Console actions have no comment: a unique negative id keeps them apart from GitHub's ids. */
function actionId(rt: Runtime): number {
  sequence = (sequence + 1) % 1000;
  return -(rt.clock.now().getTime() * 1000 + sequence);
}

function syntheticComment(
  rt: Runtime,
  person: Person,
  repoKey: string,
  number: number,
  body: string,
): CommentEvent | undefined {
  const repo = person.repos.get(repoKey.toLowerCase());
  if (!repo) return undefined;
  return {
    type: "comment",
    repo,
    number,
    isPull: number > 0,
    comment: {
      id: actionId(rt),
      body,
      login: person.login,
      isBot: false,
      createdAt: rt.clock.now().toISOString(),
    },
  };
}

const NOT_VISIBLE: CommandReply = { ok: false, message: "you cannot see this repository on GitHub" };

export async function toggleGate(
  rt: Runtime,
  person: Person,
  input: { repo: string; gate: string; open: boolean; durationMs?: number },
): Promise<CommandReply> {
  const name = input.open ? "open-gate" : "close-gate";
  const event = syntheticComment(rt, person, input.repo, 0, `/${name} ${input.gate}`);
  if (!event) return NOT_VISIBLE;
  return gateCommand(rt, rt.github(event.repo), event, {
    name,
    gate: input.gate,
    ...(input.durationMs ? { durationMs: input.durationMs } : {}),
  });
}

export type JobAction = "approve" | "apply" | "retry" | "cancel";

/** `/approve STACK` (and friends) on the job's merged PR, as the person. */
export async function actOnJob(
  rt: Runtime,
  person: Person,
  jobId: string,
  action: JobAction,
): Promise<CommandReply> {
  const job: StackJob | undefined = await rt.jobs.get(jobId);
  if (!job || !person.repos.has(repoName(job)))
    return { ok: false, message: "no such job among your repositories" };
  if (job.kind !== "apply" || !job.prNumber)
    return { ok: false, message: "only apply jobs of a merged pull request can be acted on here" };
  const event = syntheticComment(
    rt,
    person,
    `${job.owner}/${job.repo}`,
    job.prNumber,
    `/${action} ${job.stack}`,
  );
  if (!event) return NOT_VISIBLE;
  const reply = await mergedPullCommand(rt, event, {
    id: `console-${-event.comment.id}`,
    command: { name: action, args: [job.stack] },
    login: person.login,
    commentId: event.comment.id,
    headSha: job.sha,
    at: event.comment.createdAt,
  });
  if (!reply.ok)
    await rt.audit.record({
      type: "command-refused",
      repo: `${job.owner}/${job.repo}`,
      pr: job.prNumber,
      stack: job.stack,
      jobId: job.id,
      actor: person.login,
      decision: `${action} (console)`,
      reason: reply.message,
    });
  return reply;
}
