/**
 * `apply --all-pending`, `usage` and `audit` through flowgate's `/api/v1`, as a GitHub identity:
 * `FLOWGATE_URL` names the app, the token comes from `GITHUB_TOKEN` or `gh auth token`. flowgate
 * checks the token with GitHub and acts, and audits, as that person.
 */
import { execFileSync } from "node:child_process";
import type { AuditEntry } from "../observability/audit.js";
import type { CliIO, ExitCode } from "./io.js";
import { renderUsage, summarizeUsage } from "./usage-report.js";

function githubToken(io: CliIO): string | undefined {
  if (io.env.GITHUB_TOKEN) return io.env.GITHUB_TOKEN;
  try {
    return (
      execFileSync("gh", ["auth", "token"], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      }).trim() || undefined
    );
  } catch {
    return undefined;
  }
}

interface Call {
  status: number;
  body: Record<string, unknown>;
}

export async function runRemote(
  command: "apply" | "usage" | "audit",
  opts: Map<string, string | true>,
  io: CliIO,
  hours: number,
): Promise<ExitCode> {
  const base = (io.env.FLOWGATE_URL ?? "").replace(/\/+$/, "");
  const token = githubToken(io);
  if (!token) {
    io.stderr(`flowgate ${command}: no GitHub token: set GITHUB_TOKEN or sign in with \`gh auth login\`\n`);
    return 2;
  }
  const call = async (path: string, body?: unknown): Promise<Call | undefined> => {
    try {
      const res = await fetch(`${base}${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    } catch (error) {
      io.stderr(`flowgate ${command}: cannot reach ${base}: ${(error as Error).message}\n`);
      return undefined;
    }
  };
  const refused = (c: Call) => {
    io.stderr(
      `flowgate ${command}: ${base} answered ${c.status}: ${String(c.body.error ?? c.body.message ?? "")}\n`,
    );
    return 2 as const;
  };

  if (command === "audit" || command === "usage") {
    const c = await call(`/api/v1/audit?sinceHours=${hours}`);
    if (!c) return 2;
    if (c.status !== 200) return refused(c);
    const entries = c.body.entries as AuditEntry[];
    // The API answers newest first; the CLI prints in the order the decisions were made.
    const ordered = [...entries].reverse();
    if (command === "audit") for (const e of ordered) io.stdout(`${JSON.stringify(e)}\n`);
    else {
      const usage = summarizeUsage(ordered);
      io.stdout(
        opts.has("--json")
          ? `${JSON.stringify(usage, null, 2)}\n`
          : renderUsage(usage, `${opts.get("--days") ?? 7}d`),
      );
    }
    return 0;
  }
  const env = opts.get("--env");
  if (typeof env !== "string" || !opts.has("--all-pending")) {
    io.stderr("flowgate apply: give --env ENV --all-pending\n");
    return 2;
  }
  const repo = opts.get("--repo");
  const c = await call("/api/v1/apply-pending", { env, ...(typeof repo === "string" ? { repo } : {}) });
  if (!c) return 2;
  if (c.status !== 200) return refused(c);
  const results = c.body.results as {
    repo: string;
    stack: string;
    jobId: string;
    ok: boolean;
    message: string;
  }[];
  if (results.length === 0) io.stdout(`no pending stacks you can see in environment ${env}\n`);
  for (const r of results)
    io.stdout(
      `${r.ok ? "started" : "refused"} ${r.repo} ${r.stack} (job ${r.jobId}): ${oneLine(r.message)}\n`,
    );
  return results.every((r) => r.ok) ? 0 : 1;
}

/** The API's reply is the comment reply's markdown list; a terminal wants one line per stack. */
function oneLine(text: string): string {
  return text.replace(/\s*\n[-\s]*/g, " ").trim();
}
