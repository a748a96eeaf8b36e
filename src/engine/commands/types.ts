/** A comment command (SPEC §3.2), as parsed: names are checked, nothing is resolved yet. */
export type Command =
  | { name: "plan" | "approve" | "apply" | "retry" | "cancel" | "revert"; args: string[] }
  | {
      name: "reject";
      /** with `--`: the stacks named before it; without: the leading words that could be stack names */
      args: string[];
      /** with `--`: the text after it; without: every word, because they may all be the reason */
      reason?: string;
      /** whether the comment used `--` between stacks and reason */
      separator: boolean;
    }
  | { name: "open-gate" | "close-gate"; gate: string; durationMs?: number; durationText?: string }
  | { name: "override"; reason: string }
  | { name: "help" };

export interface CommandError {
  /** 1-based line of the comment */
  line: number;
  /** the line as written, shortened and with markdown and mention characters replaced: safe to quote */
  text: string;
  message: string;
  /** reply with the help text too (an unknown `/flowgate` command) */
  help?: true;
}

export interface ParsedComment {
  commands: { command: Command; line: number }[];
  errors: CommandError[];
}

/** A command from a PR comment, queued until the PR's evaluation carries it out once. */
export interface CommandRequest {
  /** `<comment id>-<line>`: carried out once, whatever the redeliveries */
  id: string;
  command: Command;
  login: string;
  commentId: number;
  /** the head when the comment was processed */
  headSha: string;
  at: string;
}
