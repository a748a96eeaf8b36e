import type { CommandRequest } from "../../engine/commands.js";
import type { GitHubPort } from "../../github/port.js";
import type { PullRecord } from "../../state/pulls.js";

/** A reaction on the command's comment, and a reply when it was refused or says more than one thing. */
export async function replyToCommand(
  port: GitHubPort,
  record: PullRecord,
  request: CommandRequest,
  ok: boolean,
  lines: string[],
): Promise<void> {
  await port.addReaction(request.commentId, ok ? "+1" : "confused");
  if (!ok || lines.length > 1)
    await port.createComment(
      record.facts.number,
      `@${request.login} \`/${request.command.name}\`:\n\n${lines.join("\n")}`,
    );
}
