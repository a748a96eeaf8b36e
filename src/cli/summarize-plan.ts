/**
 * `flowgate summarize-plan FILE [--job-id ID] [--stack NAME] [--operation plan|apply] [--sha SHA]
 * [--estimated-cost N] [--error LOG] [--out FILE]`: a plan's JSON → result.json (SPEC §5, §6.1).
 *
 * Exit codes: 0 written; 1 the plan failed, the run failed (`--error`) or FILE is not a plan (with
 * `--out`, a result with outcome `failure` is still written so the workflow can upload it); 2 usage,
 * unreadable file or bad JSON.
 */
import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { errorText } from "../plan/error-text.js";
import { jsonErrorPosition, lineAndColumn } from "../plan/json-error.js";
import { isValidId, isValidSha } from "../plan/result.js";
import { failureResult, type SummarizeMeta, summarizePlan } from "../plan/summarize.js";
import type { CliIO, ExitCode } from "./io.js";

/** Just under V8's longest string: a bigger plan could not be parsed at all. */
export const MAX_INPUT_BYTES = 500 * 1024 * 1024;

export const SUMMARIZE_PLAN_USAGE = `usage: flowgate summarize-plan FILE [options]

Turns \`terraform show -json PLANFILE\` (Terraform/OpenTofu) or \`pulumi preview --json\` output
into flowgate's result.json. FILE may be - for standard input.

options (each falls back to an environment variable):
  --job-id ID            flowgate's stack job id            (FLOWGATE_JOB_ID)
  --stack NAME           the stack's name                   (FLOWGATE_STACK)
  --operation OP         plan or apply; default plan        (FLOWGATE_OPERATION)
  --sha SHA              the commit the plan was made for   (FLOWGATE_SHA)
  --estimated-cost N     estimated monthly cost
  --error LOG            the error output of a failed init, plan or apply: when LOG exists and is
                         not empty, write a result with outcome "failure" and its text, and when
                         FILE is missing, one that says so (for workflows; see examples/README.md)
  --out FILE             write result.json there instead of standard output
`;

export interface SummarizePlanDeps {
  /** reads standard input for FILE `-`; tests replace it */
  readStdin?: () => Promise<Buffer>;
}

const OPTIONS = [
  "--job-id",
  "--stack",
  "--operation",
  "--sha",
  "--estimated-cost",
  "--error",
  "--out",
] as const;
type OptionName = (typeof OPTIONS)[number];

interface Args {
  file: string;
  options: Partial<Record<OptionName, string>>;
}

function parseArgs(args: readonly string[]): Args | string {
  const options: Partial<Record<OptionName, string>> = {};
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "-" || !arg.startsWith("-")) {
      files.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (!(OPTIONS as readonly string[]).includes(name)) return `unknown option ${name}`;
    const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
    if (value === undefined) return `${name} needs a value`;
    options[name as OptionName] = value;
  }
  if (files.length !== 1)
    return files.length === 0 ? "FILE is missing" : `one FILE expected, got ${files.length}`;
  return { file: files[0] as string, options };
}

function readMeta(args: Args, env: CliIO["env"]): SummarizeMeta | string {
  const pick = (option: OptionName, variable?: string): string | undefined => {
    const value = args.options[option] ?? (variable !== undefined ? env[variable] : undefined);
    return value === "" ? undefined : value;
  };
  const meta: SummarizeMeta = {};
  const jobId = pick("--job-id", "FLOWGATE_JOB_ID");
  if (jobId !== undefined) {
    if (!isValidId(jobId)) return `the job id "${jobId.slice(0, 50)}" must be printable ASCII without spaces`;
    meta.jobId = jobId;
  }
  const stack = pick("--stack", "FLOWGATE_STACK");
  if (stack !== undefined) {
    if (!isValidId(stack))
      return `the stack name "${stack.slice(0, 50)}" must be printable ASCII without spaces`;
    meta.stack = stack;
  }
  const operation = pick("--operation", "FLOWGATE_OPERATION");
  if (operation !== undefined) {
    if (operation !== "plan" && operation !== "apply")
      return `--operation must be plan or apply, not "${operation}"`;
    meta.operation = operation;
  }
  const sha = pick("--sha", "FLOWGATE_SHA");
  if (sha !== undefined) {
    if (!isValidSha(sha)) return `--sha must be a full commit id (40 or 64 lowercase hexadecimal characters)`;
    meta.sha = sha;
  }
  const cost = pick("--estimated-cost");
  if (cost !== undefined) {
    const n = Number(cost);
    if (cost.trim() === "" || !Number.isFinite(n)) return `--estimated-cost must be a number, not "${cost}"`;
    meta.estimatedCost = n;
  }
  return meta;
}

/** UTF-8 (with or without a byte-order mark) or UTF-16, as PowerShell's `>` writes it. */
export function decodeText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes.subarray(2));
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.toString("utf8", 3);
  return bytes.toString("utf8");
}

/** Parses JSON, or says where it breaks as `line:col`. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    // V8's messages quote the input and often lack a position: find it, and keep the message short.
    const found = jsonErrorPosition(text);
    const at = Math.max(found, 0);
    const { line, col } = lineAndColumn(text, at);
    const reason =
      found === -1
        ? (e as Error).message
        : found >= text.length
          ? "the input ends too early"
          : `unexpected text at ${JSON.stringify(text.slice(at, at + 20))}`;
    return { ok: false, error: `${line}:${col}: not valid JSON: ${reason}` };
  }
}

function defaultReadStdin(): Promise<Buffer> {
  return new Promise((done, failed) => {
    const chunks: Buffer[] = [];
    process.stdin.on("data", (c: Buffer) => chunks.push(c));
    process.stdin.on("end", () => done(Buffer.concat(chunks)));
    process.stdin.on("error", failed);
  });
}

async function readInput(file: string, io: CliIO, deps: SummarizePlanDeps): Promise<Buffer | string> {
  try {
    return file === "-"
      ? await (deps.readStdin ?? defaultReadStdin)()
      : await readFile(resolve(io.cwd, file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (e as Error).message;
  }
}

/** Why FILE is a failed plan, or "" when it is a good plan, or missing, unreadable or not JSON. */
async function failureOfPlan(
  file: string,
  meta: SummarizeMeta,
  io: CliIO,
  deps: SummarizePlanDeps,
): Promise<string> {
  const input = await readInput(file, io, deps);
  if (typeof input === "string" || input.length > MAX_INPUT_BYTES) return "";
  const json = parseJson(decodeText(input));
  if (!json.ok) return "";
  const result = summarizePlan(json.value, meta);
  return result.ok ? "" : result.error;
}

export async function runSummarizePlan(
  args: readonly string[],
  io: CliIO,
  deps: SummarizePlanDeps = {},
): Promise<ExitCode> {
  const err = (text: string) => io.stderr(`flowgate summarize-plan: ${text}\n`);
  if (args.includes("--help") || args.includes("-h")) {
    io.stdout(SUMMARIZE_PLAN_USAGE);
    return 0;
  }
  const parsed = parseArgs(args);
  if (typeof parsed === "string") {
    err(parsed);
    io.stderr(SUMMARIZE_PLAN_USAGE);
    return 2;
  }
  const meta = readMeta(parsed, io.env);
  if (typeof meta === "string") {
    err(meta);
    return 2;
  }
  const out = parsed.options["--out"];
  const write = async (text: string): Promise<boolean> => {
    if (out === undefined) {
      io.stdout(text);
      return true;
    }
    try {
      await writeFile(resolve(io.cwd, out), text);
      return true;
    } catch (e) {
      err(`cannot write ${out}: ${(e as Error).message}`);
      return false;
    }
  };
  // A failure result lets flowgate report why the run failed, not only that it did.
  const writeFailure = async (message: string): Promise<1> => {
    if (out !== undefined && (await write(`${JSON.stringify(failureResult(message, meta), null, 2)}\n`))) {
      err(`wrote a result with outcome "failure" to ${out}`);
    }
    return 1;
  };

  const errorLog = parsed.options["--error"];
  if (errorLog !== undefined) {
    const log = await readInput(errorLog, io, deps);
    const text = typeof log === "string" ? "" : errorText(decodeText(log));
    if (text !== "") {
      err(`${errorLog}: the run failed:\n${text}`);
      // A plan saved by the failed step (errored, or a preview with errors) adds its own reason.
      const planFailure = await failureOfPlan(parsed.file, meta, io, deps);
      return writeFailure(planFailure === "" ? text : `${text}\n\n${planFailure}`);
    }
  }

  const name = parsed.file === "-" ? "(stdin)" : parsed.file;
  const input = await readInput(parsed.file, io, deps);
  if (typeof input === "string") {
    err(`${name}: ${input}`);
    if (errorLog === undefined) return 2;
    // In a workflow (`--error` given) a missing plan means the job stopped before it made one.
    return writeFailure(
      `the run failed before it produced ${name} (${input}) and left no error output in ${errorLog}: see the run's log`,
    );
  }
  if (input.length > MAX_INPUT_BYTES) {
    err(`${name}: ${input.length} bytes is more than the ${MAX_INPUT_BYTES} flowgate can read`);
    return 2;
  }
  const json = parseJson(decodeText(input));
  if (!json.ok) {
    err(`${name}:${json.error}`);
    return 2;
  }

  const result = summarizePlan(json.value, meta);
  if (!result.ok) {
    err(result.error);
    return writeFailure(result.error);
  }
  for (const [field, option] of [
    ["jobId", "--job-id or FLOWGATE_JOB_ID"],
    ["stack", "--stack or FLOWGATE_STACK"],
    ["sha", "--sha or FLOWGATE_SHA"],
  ] as const) {
    if (meta[field] === undefined)
      io.stderr(`warning: no ${option}: flowgate will not accept this result.json\n`);
  }
  return (await write(`${JSON.stringify(result.value, null, 2)}\n`)) ? 0 : 2;
}
