/** The reply to `/flowgate help` (SPEC §3.2): every command, its arguments and who may use it. */

const COMMANDS: readonly { usage: string; does: string; who: string }[] = [
  {
    usage: "/plan [stack ...]",
    does: "run (or re-run) plans",
    who: "anyone with write permission; on a fork PR, admin or maintain",
  },
  {
    usage: "/approve [stack ...]",
    does: "approve the current head, after its plan finished",
    who: "eligible approvers: not an author, not a bot, write permission, the rule's fromTeams / fromUsers",
  },
  {
    usage: "/reject [stack ...] [-- reason]",
    does: "block until you approve again or a new push arrives; `/reject reason` blocks every stack",
    who: "eligible approvers",
  },
  {
    usage: "/apply [stack ...]",
    does: "on a merged PR: start a manual job or apply stacks left pending",
    who: "eligible approvers of the stack",
  },
  { usage: "/retry [stack ...]", does: "re-run a failed stack job", who: "anyone with write permission" },
  {
    usage: "/cancel [stack ...]",
    does: "cancel a waiting or running stack job",
    who: "anyone with write permission",
  },
  {
    usage: "/revert [stack ...]",
    does: "on a merged PR: open a PR that puts the stacks' files back as they were before the merge",
    who: "eligible approvers of the stack",
  },
  {
    usage: "/open-gate NAME [DURATION]",
    does: "open a gate for its window or the given duration (30m, 2h, 1d); `org:NAME` for organization gates",
    who: "the gate's openers; by default admin or maintain (organization gates: organization owners)",
  },
  {
    usage: "/close-gate NAME [DURATION]",
    does: "close a gate",
    who: "the gate's openers, as for /open-gate",
  },
  {
    usage: '/override --reason "TEXT"',
    does: "break glass: bypass approvals, gates and schedules (not the plan) for the current head; audited and announced",
    who: "the users and teams that breakGlass allows",
  },
  { usage: "/flowgate help", does: "show this list", who: "anyone" },
];

export function helpText(): string {
  const rows = COMMANDS.map((c) => `| \`${c.usage}\` | ${c.does} | ${c.who} |`);
  return [
    "**flowgate commands**",
    "",
    "Write a command at the start of a line of a new comment (not in a quote or a code block). Without stack names a command acts on every affected stack.",
    "",
    "| command | does | who may use it |",
    "|---|---|---|",
    ...rows,
  ].join("\n");
}
