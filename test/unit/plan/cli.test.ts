/** `flowgate summarize-plan`, run in-process end to end: files, stdin, options, environment, exit codes. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CliIO } from "../../../src/cli/io.js";
import { runSummarizePlan } from "../../../src/cli/summarize-plan.js";
import { parseResultJson } from "../../../src/plan/result.js";
import { PULUMI_DIR, rc, SHA, TESTDATA_DIR, tfPlan } from "./helpers.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "flowgate-summarize-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function io(env: Record<string, string | undefined> = {}): CliIO & { out: string; err: string } {
  const captured = {
    out: "",
    err: "",
    cwd: dir,
    env,
    stdout(text: string) {
      captured.out += text;
    },
    stderr(text: string) {
      captured.err += text;
    },
  };
  return captured;
}

const ARGS = ["--job-id", "job-7", "--stack", "billing-database", "--sha", SHA];

describe("flowgate summarize-plan", () => {
  it("prints a result.json the app accepts", async () => {
    const cli = io();
    const code = await runSummarizePlan(
      [`${TESTDATA_DIR}basic-delete.json`, ...ARGS, "--estimated-cost", "12.5"],
      cli,
    );
    expect(code).toBe(0);
    expect(cli.err).toBe("");
    expect(cli.out.endsWith("}\n")).toBe(true);
    expect(cli.out).toContain('\n  "jobId": "job-7",');
    const parsed = parseResultJson(JSON.parse(cli.out));
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.value).toMatchObject({
      jobId: "job-7",
      stack: "billing-database",
      sha: SHA,
      operation: "plan",
      outcome: "success",
      estimatedCost: 12.5,
      summary: { add: 0, change: 1, destroy: 1, replace: 0 },
    });
  });

  it("falls back to the FLOWGATE_* environment variables; options win", async () => {
    const env = {
      FLOWGATE_JOB_ID: "env-job",
      FLOWGATE_STACK: "env-stack",
      FLOWGATE_OPERATION: "apply",
      FLOWGATE_SHA: SHA,
    };
    const cli = io(env);
    expect(await runSummarizePlan([`${TESTDATA_DIR}basic-create.json`, "--stack=cli-stack"], cli)).toBe(0);
    expect(JSON.parse(cli.out)).toMatchObject({
      jobId: "env-job",
      stack: "cli-stack",
      operation: "apply",
      sha: SHA,
    });
  });

  it("reads a relative FILE from the working directory and writes --out there", async () => {
    writeFileSync(join(dir, "plan.json"), readFileSync(`${PULUMI_DIR}update.json`));
    const cli = io();
    expect(await runSummarizePlan(["plan.json", ...ARGS, "--out", "result.json"], cli)).toBe(0);
    expect(cli.out).toBe("");
    const written = JSON.parse(readFileSync(join(dir, "result.json"), "utf8"));
    expect(parseResultJson(written).ok).toBe(true);
    expect(written.summary).toEqual({ add: 1, change: 1, destroy: 1, replace: 0 });
  });

  it("reads standard input for -", async () => {
    const cli = io();
    const stdin = readFileSync(`${TESTDATA_DIR}requires-replace.json`);
    expect(await runSummarizePlan(["-", ...ARGS], cli, { readStdin: async () => stdin })).toBe(0);
    expect(JSON.parse(cli.out).summary.replace).toBe(1);
  });

  it("reads UTF-16 with a byte-order mark, as PowerShell writes it", async () => {
    const text = readFileSync(`${TESTDATA_DIR}basic-create.json`, "utf8");
    writeFileSync(
      join(dir, "plan.json"),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]),
    );
    const cli = io();
    expect(await runSummarizePlan(["plan.json", ...ARGS], cli)).toBe(0);
    expect(JSON.parse(cli.out).summary.add).toBe(3);
  });

  it("warns when the result lacks what flowgate needs to accept it", async () => {
    const cli = io();
    expect(await runSummarizePlan([`${TESTDATA_DIR}basic-create.json`], cli)).toBe(0);
    expect(cli.err).toContain("warning: no --job-id or FLOWGATE_JOB_ID");
    expect(cli.err).toContain("warning: no --sha or FLOWGATE_SHA");
    expect(parseResultJson(JSON.parse(cli.out)).ok).toBe(false);
  });

  it("exits 1 on a failed plan, says why, and still writes a failure result with --out", async () => {
    const cli = io();
    const code = await runSummarizePlan(
      [`${TESTDATA_DIR}plan-error.json`, ...ARGS, "--out", "result.json"],
      cli,
    );
    expect(code).toBe(1);
    expect(cli.err).toContain(
      "flowgate summarize-plan: the plan failed: terraform reported errored: true; no changes can be summarised",
    );
    const written = parseResultJson(JSON.parse(readFileSync(join(dir, "result.json"), "utf8")));
    if (!written.ok) throw new Error(written.error);
    expect(written.value).toMatchObject({ outcome: "failure", resources: [], jobId: "job-7" });
    expect(written.value.text).toContain("errored: true");
  });

  it("exits 1 on JSON that is not a plan, printing nothing to stdout", async () => {
    writeFileSync(join(dir, "state.json"), JSON.stringify({ format_version: "1.0", values: {} }));
    const cli = io();
    expect(await runSummarizePlan(["state.json", ...ARGS], cli)).toBe(1);
    expect(cli.out).toBe("");
    expect(cli.err).toMatch(/Terraform state, not a plan/);
  });

  it("exits 2 on bad JSON, naming the line and column", async () => {
    writeFileSync(join(dir, "bad.json"), '{\n  "format_version": "1.2",\n  "resource_changes": [,]\n}\n');
    const cli = io();
    expect(await runSummarizePlan(["bad.json", ...ARGS], cli)).toBe(2);
    expect(cli.err).toMatch(/^flowgate summarize-plan: bad\.json:3:24: not valid JSON: /);
    writeFileSync(join(dir, "cut.json"), '{"format_version": "1.2"');
    const cut = io();
    expect(await runSummarizePlan(["cut.json"], cut)).toBe(2);
    expect(cut.err).toMatch(/cut\.json:1:25: not valid JSON/);
  });

  it("exits 2 on usage errors and unreadable files", async () => {
    const cases: [string[], RegExp][] = [
      [[], /FILE is missing/],
      [["a.json", "b.json"], /one FILE expected, got 2/],
      [["a.json", "--colour"], /unknown option --colour/],
      [["a.json", "--stack"], /--stack needs a value/],
      [["a.json", "--error"], /--error needs a value/],
      [["a.json", "--operation", "destroy"], /--operation must be plan or apply/],
      [["a.json", "--sha", "HEAD"], /--sha must be a full commit id/],
      [["a.json", "--estimated-cost", "cheap"], /--estimated-cost must be a number/],
      [["a.json", "--job-id", "two words"], /the job id "two words" must be printable ASCII/],
      [["missing.json"], /missing\.json: no such file/],
      [["."], /\.: is a directory/],
    ];
    for (const [args, message] of cases) {
      const cli = io();
      expect(await runSummarizePlan(args, cli)).toBe(2);
      expect(cli.err).toMatch(message);
    }
    const bad = io({ FLOWGATE_OPERATION: "deploy" });
    expect(await runSummarizePlan([`${TESTDATA_DIR}basic-create.json`], bad)).toBe(2);
    expect(bad.err).toMatch(/--operation must be plan or apply, not "deploy"/);
  });

  it("--error: a failed run's output makes a failure result, a missing FILE too, and prints nothing", async () => {
    writeFileSync(join(dir, "error.txt"), "\u001b[31mError:\u001b[0m state lock held\n");
    const failed = io();
    const args = ["plan.json", ...ARGS, "--error", "error.txt", "--out", "result.json"];
    expect(await runSummarizePlan(args, failed)).toBe(1);
    expect(failed.out).toBe("");
    expect(failed.err).toContain("error.txt: the run failed:\nError: state lock held");
    expect(JSON.parse(readFileSync(join(dir, "result.json"), "utf8"))).toMatchObject({
      outcome: "failure",
      text: "Error: state lock held",
    });
    // No error output and no plan: still a failure result, not a usage error.
    const nothing = io();
    expect(
      await runSummarizePlan(["plan.json", ...ARGS, "--error", "none.txt", "--out", "r2.json"], nothing),
    ).toBe(1);
    expect(JSON.parse(readFileSync(join(dir, "r2.json"), "utf8")).text).toMatch(
      /before it produced plan\.json/,
    );
    // Without --error a missing FILE stays a usage error (exit 2), with no result.
    expect(await runSummarizePlan(["plan.json", ...ARGS, "--out", "r3.json"], io())).toBe(2);
  });

  it("prints its usage for --help", async () => {
    const cli = io();
    expect(await runSummarizePlan(["--help"], cli)).toBe(0);
    expect(cli.out).toContain("usage: flowgate summarize-plan FILE");
  });

  it("summarises a plan of about 100 MB", async () => {
    const doc = "d".repeat(1500);
    const entries: string[] = [];
    for (let i = 0; i < 32_000; i++) {
      const changed = i % 8 === 0;
      const entry = rc(`aws_instance.fleet[${i}]`, {
        actions: [changed ? "update" : "no-op"],
        before: { ami: "ami-1", doc, tags: { n: String(i) } },
        after: { ami: changed ? "ami-2" : "ami-1", doc, tags: { n: String(i) } },
        before_sensitive: {},
        after_sensitive: {},
      });
      entries.push(JSON.stringify(entry));
    }
    const text = JSON.stringify(tfPlan({})).replace(
      '"resource_changes":[]',
      `"resource_changes":[${entries.join(",")}]`,
    );
    expect(text.length).toBeGreaterThan(100_000_000);
    writeFileSync(join(dir, "big.json"), text);
    const cli = io();
    const started = Date.now();
    expect(await runSummarizePlan(["big.json", ...ARGS, "--out", "result.json"], cli)).toBe(0);
    expect(Date.now() - started).toBeLessThan(20_000);
    const result = parseResultJson(JSON.parse(readFileSync(join(dir, "result.json"), "utf8")));
    if (!result.ok) throw new Error(result.error);
    expect(result.value.summary).toEqual({ add: 0, change: 4000, destroy: 0, replace: 0 });
    expect(result.value.text.endsWith("Plan: 0 to add, 4000 to change, 0 to destroy.")).toBe(true);
  }, 60_000);
});
