/**
 * The `flowgate-summarize` GitHub Action (examples/actions/flowgate-summarize): the action's inputs,
 * which the runner passes as `INPUT_*` variables, mapped onto `flowgate summarize-plan`, so the
 * action writes exactly the result.json the CLI would. The job id, stack, operation and commit come
 * from the `FLOWGATE_*` variables the example workflows set.
 *
 * Bundled into one file by `npm run build:action`; the bundle is committed, as actions are.
 */
import { processIO } from "../cli/io.js";
import { runSummarizePlan } from "../cli/summarize-plan.js";

type Env = Record<string, string | undefined>;

/** The runner's name for an input: `INPUT_` and the name in capitals, spaces as underscores. */
function input(env: Env, name: string): string {
  return (env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] ?? "").trim();
}

/** The `summarize-plan` arguments the action's inputs stand for. */
function summarizeArgs(env: Env): string[] {
  const args = [input(env, "plan") || "plan.json", "--out", input(env, "out") || "result.json"];
  const errorLog = input(env, "error-log");
  if (errorLog !== "") args.push("--error", errorLog);
  const cost = input(env, "estimated-cost");
  if (cost !== "") args.push("--estimated-cost", cost);
  return args;
}

runSummarizePlan(summarizeArgs(process.env), processIO).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Fail closed and say why: the workflow then uploads no result and the check links the run.
    process.stderr.write(`flowgate-summarize: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
