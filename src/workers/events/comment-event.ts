import { parseCommands } from "../../engine/commands.js";
import { helpText } from "../../engine/help.js";
import { toFacts } from "../../github/shapes.js";
import { isBotLogin } from "../../model/bots.js";
import type { Runtime } from "../../runtime/runtime.js";
import { type CommandRequest, type PullRecord, PullStore } from "../../state/pulls.js";
import type { FlowgateEvent } from "../../webhooks/events.js";
import { evaluatePullNow } from "../pull/now.js";
import { type CommandReply, gateCommand } from "./gate-command.js";

type CommentEvent = Extract<FlowgateEvent, { type: "comment" }>;

async function pullRecord(rt: Runtime, event: CommentEvent): Promise<PullRecord | undefined> {
  const { repo } = event;
  const known = await rt.pulls.get(repo.repoId, event.number);
  if (known) return known;
  const pull = await rt.github(repo).getPull(event.number);
  const at = pull.updatedAt || rt.clock.now().toISOString();
  await rt.pulls.records.create(PullStore.id(repo.repoId, event.number), {
    repo,
    facts: toFacts(pull, `${repo.owner}/${repo.repo}`),
    headPushedAt: at,
    pushers: [pull.author],
    updatedAt: at,
  });
  return rt.pulls.get(repo.repoId, event.number);
}

/**
 * A new comment (SPEC §3.2): commands at the start of a line, outside code and quotes, never from
 * bots. Gate commands and help are answered here; commands that need the PR's resolved policies are
 * queued for the PR's evaluation, which replies per stack.
 */
export async function handleCommentEvent(
  rt: Runtime,
  event: CommentEvent,
  receivedAt: number,
): Promise<void> {
  const { repo, comment } = event;
  if (comment.isBot || isBotLogin(comment.login)) return;
  const parsed = parseCommands(comment.body);
  if (parsed.commands.length === 0 && parsed.errors.length === 0) return;
  const port = rt.github(repo);
  const replies: string[] = [];
  let refused = false;
  let queued = false;
  // A PR flowgate has no record of (first sight, or state lost with Redis) is read from GitHub.
  const record = event.isPull ? await pullRecord(rt, event) : undefined;
  const merged = record?.facts.merged === true;

  for (const { command, line } of parsed.commands) {
    const id = `${comment.id}-${line}`;
    let reply: CommandReply | undefined;
    switch (command.name) {
      case "help":
        replies.push(helpText());
        break;
      case "open-gate":
      case "close-gate":
        reply = await gateCommand(rt, port, event, command);
        break;
      default: {
        if (!event.isPull || !record) {
          reply = { ok: false, message: `\`/${command.name}\` works on pull requests only` };
          break;
        }
        const request: CommandRequest = {
          id,
          command,
          login: comment.login,
          commentId: comment.id,
          headSha: record.facts.headSha,
          at: comment.createdAt,
        };
        const afterMerge = ["apply", "approve", "reject", "retry", "cancel", "revert"].includes(command.name);
        const onlyAfterMerge = command.name === "apply" || command.name === "revert";
        if (onlyAfterMerge || (merged && afterMerge)) {
          if (!merged) {
            reply = {
              ok: false,
              message: `\`/${command.name}\` is refused on an open PR: it acts after the merge`,
            };
            break;
          }
          reply = await rt.wiring.mergedPullCommand(rt, event, request);
          break;
        }
        if (merged) {
          reply = { ok: false, message: `\`/${command.name}\` has no effect on a merged PR` };
          break;
        }
        await rt.pulls.addRequest(repo.repoId, event.number, request);
        queued = true;
      }
    }
    if (reply) {
      if (!reply.ok) refused = true;
      replies.push(`${reply.ok ? "✅" : "❌"} \`/${command.name}\`: ${reply.message}`);
    }
  }
  for (const error of parsed.errors) {
    refused = true;
    replies.push(`❌ line ${error.line} (\`${error.text}\`): ${error.message}`);
    if (error.help) replies.push(helpText());
  }
  if (!queued) {
    await port.addReaction(comment.id, refused ? "confused" : "+1");
    if (replies.length)
      await port.createComment(event.number, `@${comment.login}\n\n${replies.join("\n\n")}`);
  } else {
    // The evaluation reacts and replies for queued commands; report what was answered here now.
    if (replies.length)
      await port.createComment(event.number, `@${comment.login}\n\n${replies.join("\n\n")}`);
    await evaluatePullNow(rt, repo, event.number, "comment command", receivedAt);
  }
}
