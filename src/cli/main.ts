import { runAdmin } from "./admin.js";
import { runExplain } from "./explain.js";
import type { CliIO } from "./io.js";
import { runSummarizePlan } from "./summarize-plan.js";
import { runValidate } from "./validate.js";

export const USAGE = `usage: flowgate <command> [options]

commands:
  validate [DIR]                       check a folder of configuration; errors as file:line:col
  explain --stack NAME [--dir DIR]     the effective flow control of a stack, field by field
  summarize-plan FILE                  terraform show -json (or pulumi preview --json) to result.json
  apply --env ENV --all-pending        start the jobs left pending by disableOnLifecycleEvents
  usage [--days N]                     per policy: jobs, approvals required, average wait, rejected
  audit [--since 7d]                   the audit log as JSON lines

Run "flowgate <command> --help" for a command's options.
`;

export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case "validate":
      return runValidate(args, io);
    case "explain":
      return runExplain(args, io);
    case "summarize-plan":
      return runSummarizePlan(args, io);
    case "apply":
    case "usage":
    case "audit":
      return runAdmin(command, args, io);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      io.stdout(USAGE);
      return command === undefined ? 2 : 0;
    default:
      io.stderr(`flowgate: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}
