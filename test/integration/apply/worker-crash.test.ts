/**
 * SPEC §7: a worker killed with SIGKILL in the middle of the apply flow loses no job and applies nothing
 * twice. The app's web role runs in-process; its workers run as separate `node` processes on the same
 * Redis, the way a deployment runs them, so they can be killed for real.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { type Harness, SECRET, seedRepo, startHarness } from "../../support/harness.js";
import { checkRunRequestedActionEvent } from "../../support/webhooks.js";
import {
  applyCheck,
  completeRun,
  concluded,
  configFiles,
  dispatchesOf,
  expectOneCheckPerJob,
  mergePull,
  REPO,
  stackFile,
  waitForApplyCheck,
  waitForDispatch,
  waitingForApproval,
} from "./support.js";

const MAIN = "dist/src/app/main.js";

const CONFIG = configFiles(
  [
    { name: "network", environment: "production", kind: "network" },
    { name: "database", environment: "production", kind: "database", dependsOn: ["network"] },
  ],
  `apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: network-direct }
spec:
  selector: { kind: network, id: network }
  flowControl:
    previewBeforeUpdateOrDestroy: false
    pauseBetweenPreviewAndUpdateOrDestroy: false
---
apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: database-careful }
spec:
  selector: { kind: database, id: database }
  flowControl:
    previewBeforeUpdateOrDestroy: true
    pauseBetweenPreviewAndUpdateOrDestroy: true
`,
);

interface WorkerProcess {
  child: ChildProcess;
  output: string[];
}

let h: Harness;
const workers: WorkerProcess[] = [];

function startWorker(): WorkerProcess {
  const output: string[] = [];
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH,
      APP_ID: String(h.gh.appId),
      PRIVATE_KEY: h.gh.privateKey,
      WEBHOOK_SECRET: SECRET,
      REDIS_URL: h.redis.url,
      FLOWGATE_GITHUB_API_URL: h.gh.url,
      FLOWGATE_APP_SLUG: "flowgate",
      FLOWGATE_ROLE: "worker",
      FLOWGATE_WRITE_INTERVAL_MS: "0",
      FLOWGATE_DISPATCH_LOOKUP_GRACE_MS: "300",
      FLOWGATE_RECONCILE_INTERVAL_MS: "0",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d) => output.push(String(d)));
  child.stderr?.on("data", (d) => output.push(String(d)));
  const worker = { child, output };
  workers.push(worker);
  return worker;
}

async function kill(worker: WorkerProcess): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  const exited = new Promise((resolve) => worker.child.once("exit", resolve));
  worker.child.kill("SIGKILL");
  await exited;
}

beforeAll(() => {
  if (!existsSync(MAIN)) execFileSync("npm", ["run", "build"], { stdio: "ignore" });
}, 120_000);

beforeEach(async () => {
  // This process only receives webhooks and enqueues them; the subprocesses do all the work.
  h = await startHarness({ settings: { role: "web" } });
});

afterEach(async (context) => {
  for (const w of workers.splice(0)) {
    await kill(w);
    if (context.task.result?.state === "fail") console.log(w.output.join(""));
  }
  await h.stop();
});

it("a worker killed right after the first dispatch and another while a job waits: nothing lost, nothing applied twice", async () => {
  seedRepo(h.gh, CONFIG);
  for (const login of ["alice", "bob"]) h.gh.setPermission(REPO, login, "write");
  const first = startWorker();

  const branch = "both";
  const head = h.gh.commit(REPO, branch, {
    [stackFile("network")]: "# network v2\n",
    [stackFile("database")]: "# database v2\n",
  });
  const pull = h.gh.openPull({ repo: REPO, head: { ref: branch, sha: head }, user: "alice" });
  // network applies directly; the worker dies the moment GitHub has the dispatch, before it hears back.
  let killed: Promise<void> | undefined;
  h.gh.autoRun = ({ dispatch }) => {
    if (dispatch?.inputs.operation === "apply") killed ??= kill(first);
    return undefined;
  };
  const sha = await mergePull(h, pull.number);
  const apply = await waitForDispatch(h, { stack: "network", operation: "apply", sha });
  await killed;
  // It died holding the dispatch step (and maybe more): those stay with the dead worker for now.
  expect(await h.app.runtime.queues.jobs.getActiveCount()).toBeGreaterThan(0);
  const second = startWorker();
  await completeRun(h, apply);
  await waitForApplyCheck(h, sha, "network", concluded("success"), "network applied");

  // database (dependsOn network) was queued while the first worker died: it is not lost.
  const plan = await waitForDispatch(h, { stack: "database", operation: "plan", sha });
  await completeRun(h, plan);
  const waiting = await waitForApplyCheck(
    h,
    sha,
    "database",
    waitingForApproval,
    "database waiting for approval",
  );

  // The second worker dies while the job waits; a third takes over and acts on the approval.
  await kill(second);
  startWorker();
  await h.gh.sendWebhook(
    "check_run",
    checkRunRequestedActionEvent(h.gh, waiting, { login: "bob", identifier: "approve" }),
  );
  const databaseApply = await waitForDispatch(h, { stack: "database", operation: "apply", sha });
  expect(databaseApply.inputs.plan_run_id).toBe(String(plan.runId));
  await completeRun(h, databaseApply);
  await waitForApplyCheck(h, sha, "database", concluded("success"), "database applied");

  const byJobAndOperation = new Map<string, number>();
  for (const d of h.gh.dispatches(REPO)) {
    const key = `${d.inputs.job_id} ${d.inputs.operation}`;
    byJobAndOperation.set(key, (byJobAndOperation.get(key) ?? 0) + 1);
  }
  expect([...byJobAndOperation.values()].every((n) => n === 1)).toBe(true);
  expect(dispatchesOf(h, { operation: "apply" }).map((d) => d.inputs.stack)).toEqual(["network", "database"]);
  expect(applyCheck(h, sha, "network")?.output.summary).toContain("applied");
  expectOneCheckPerJob(h);
});
