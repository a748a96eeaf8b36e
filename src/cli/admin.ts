/**
 * `apply --env ENV --all-pending`, `usage --days N`, `audit --since 7d`: through flowgate's API as a
 * GitHub identity (`FLOWGATE_URL`, see remote.ts), or with `--redis` straight on flowgate's Redis,
 * an operator mode with no identity: whoever can reach the Redis is an operator.
 */
import { existsSync, readFileSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import type { Redis } from "ioredis";
import type { StackJob } from "../engine/stack-job/types.js";
import { parseDuration } from "../lang/time/duration.js";
import { AuditLog } from "../observability/audit.js";
import { Queues, safeId } from "../queue/queues.js";
import { JobStore } from "../state/jobs.js";
import { keys } from "../state/keys.js";
import { connectOnce } from "../state/redis.js";
import type { CliIO, ExitCode } from "./io.js";
import { runRemote } from "./remote.js";
import { renderUsage, summarizeUsage } from "./usage-report.js";

function redisUrl(io: CliIO): string | undefined {
  if (io.env.REDIS_URL) return io.env.REDIS_URL;
  const file = join(io.env.FLOWGATE_DATA_DIR ?? join(io.cwd, ".data"), "redis.url");
  return existsSync(file) ? readFileSync(file, "utf8").trim() : undefined;
}

function options(args: readonly string[]): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("--")) continue;
    const next = args[i + 1];
    if (next !== undefined && !next.startsWith("--")) {
      out.set(arg, next);
      i++;
    } else out.set(arg, true);
  }
  return out;
}

const REMOTE_HELP = `
Through the API (default): FLOWGATE_URL, and a GitHub token from GITHUB_TOKEN or \`gh auth token\`;
flowgate acts and audits as that person, with the same eligibility as the comment commands.
--redis: operator mode, straight on flowgate's Redis (REDIS_URL), with no identity.
`;

async function pendingJobs(redis: Redis, jobs: JobStore): Promise<StackJob[]> {
  const found: StackJob[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", keys.pendingStacksPattern(), "COUNT", 200);
    cursor = next;
    for (const key of batch) {
      const ids = await redis.smembers(key);
      for (const job of await jobs.getMany(ids)) if (job?.status === "pending") found.push(job);
    }
  } while (cursor !== "0");
  return found;
}

export async function runAdmin(
  command: "apply" | "usage" | "audit",
  args: readonly string[],
  io: CliIO,
): Promise<ExitCode> {
  const opts = options(args);
  if (opts.has("--help")) {
    io.stdout(
      {
        apply:
          "usage: flowgate apply --env ENV --all-pending [--repo OWNER/NAME] [--redis [--as LOGIN] [--dry-run]]\n",
        usage: "usage: flowgate usage [--days N] [--json] [--redis]\n",
        audit: "usage: flowgate audit [--since 7d] [--redis]\n",
      }[command] + REMOTE_HELP,
    );
    return 0;
  }
  if (!opts.has("--redis")) {
    if (!io.env.FLOWGATE_URL) {
      io.stderr(
        `flowgate ${command}: set FLOWGATE_URL to your flowgate (it acts as your GitHub identity: GITHUB_TOKEN or \`gh auth token\`), or as an operator give --redis with REDIS_URL\n`,
      );
      return 2;
    }
    const text = command === "usage" ? `${opts.get("--days") ?? 7}d` : String(opts.get("--since") ?? "7d");
    const span = parseDuration(text);
    if (!span.ok) {
      io.stderr(`flowgate ${command}: ${span.error}\n`);
      return 2;
    }
    return runRemote(command, opts, io, Math.max(1, Math.ceil(span.value / 3_600_000)));
  }
  io.stderr(
    `flowgate ${command}: operator mode (--redis): straight on flowgate's Redis, with no GitHub identity\n`,
  );
  const url = redisUrl(io);
  if (!url) {
    io.stderr(
      `flowgate ${command}: set REDIS_URL to flowgate's Redis (or run it where flowgate keeps .data/redis.url)\n`,
    );
    return 2;
  }
  let redis: Redis;
  try {
    redis = await connectOnce(url, "flowgate-cli");
  } catch (error) {
    io.stderr(`flowgate ${command}: ${(error as Error).message}\n`);
    return 1;
  }
  try {
    if (command === "audit" || command === "usage") {
      const text = command === "audit" ? String(opts.get("--since") ?? "7d") : `${opts.get("--days") ?? 7}d`;
      const span = parseDuration(text);
      if (!span.ok) {
        io.stderr(`flowgate ${command}: ${span.error}\n`);
        return 2;
      }
      const since = new Date(Date.now() - span.value);
      const entries = await new AuditLog(redis, () => undefined, 3650).since(since);
      if (command === "audit") {
        for (const e of entries) io.stdout(`${JSON.stringify(e)}\n`);
      } else {
        const usage = summarizeUsage(entries);
        io.stdout(opts.has("--json") ? `${JSON.stringify(usage, null, 2)}\n` : renderUsage(usage, text));
      }
      return 0;
    }
    const env = opts.get("--env");
    if (typeof env !== "string" || !opts.has("--all-pending")) {
      io.stderr("flowgate apply: give --env ENV --all-pending\n");
      return 2;
    }
    const repo = opts.get("--repo");
    const by = typeof opts.get("--as") === "string" ? String(opts.get("--as")) : `cli:${userInfo().username}`;
    const jobs = new JobStore(redis);
    const selected = (await pendingJobs(redis, jobs)).filter(
      (j) => j.environment === env && (typeof repo !== "string" || `${j.owner}/${j.repo}` === repo),
    );
    if (selected.length === 0) {
      io.stdout(`no pending stacks in environment ${env}\n`);
      return 0;
    }
    const queues = new Queues(redis);
    for (const job of selected) {
      if (!opts.has("--dry-run"))
        await queues.addStep({ step: "start", jobId: job.id, by }, safeId("start", job.id));
      io.stdout(
        `${opts.has("--dry-run") ? "would start" : "started"} ${job.owner}/${job.repo} ${job.stack} at ${job.sha.slice(0, 7)} (job ${job.id})\n`,
      );
    }
    await queues.close();
    return 0;
  } finally {
    redis.disconnect();
  }
}
