import { createHash } from "node:crypto";
import { describeProvenance } from "../../engine/resolve/provenance.js";
import type { StackJob } from "../../engine/stack-job/types.js";
import { type PlannedCheck, type PlannedWorkflowCheck, planChecks } from "../../engine/verification.js";
import type { CheckRunInput } from "../../github/port.js";
import { safeId } from "../../queue/queues.js";
import { verifyCheck } from "../../render/verify-check.js";
import type { Runtime } from "../../runtime/runtime.js";
import { keys } from "../../state/keys.js";
import type { CheckProgress, Verification } from "../../state/verifications.js";
import { decideVerification, probeContextFromEnv, runProbe } from "../../verify/index.js";
import { alone } from "../alone.js";
import { applyJobEvent } from "../jobs/driver.js";
import { readResultFile } from "../jobs/result-artifact.js";
import { wakeCommit } from "./pipeline.js";
import { policyAtCommit } from "./plan-decisions.js";
import { reportMergedPull } from "./report.js";
import { openRevertPull } from "./revert.js";

const hashOf = (value: unknown) =>
  createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 32);

/** The verification the stack's policy asks for at the job's commit, or undefined when it asks for none. */
async function checksAtCommit(rt: Runtime, job: StackJob): Promise<Verification | undefined> {
  const r = await policyAtCommit(rt, job);
  const now = rt.clock.now();
  if (!r) return undefined;
  if (r.flow.verify.length === 0) return undefined;
  return {
    status: "running",
    startedAt: now.toISOString(),
    source: describeProvenance(r.provenance.verify),
    checks: r.flow.verify,
    onFailure: r.flow.onFailure,
    progress: [],
    reason: "verification started",
  };
}

/**
 * An apply succeeded: when its policy asks for verification (issue 13), the stack counts as applied only
 * once that passes. Returns whether verification started (its dependents then wait for it).
 */
export async function startVerification(rt: Runtime, job: StackJob): Promise<boolean> {
  if (job.kind !== "apply" || job.status !== "succeeded") return false;
  if (await rt.verifications.get(job.id)) return true;
  const verification = await checksAtCommit(rt, job);
  if (!verification) return false;
  if (await rt.verifications.start(job.id, verification)) {
    await rt.queues.addStep({ step: "verify", jobId: job.id }, safeId("verify", job.id, "start"));
    await writeVerifyCheck(rt, job, verification);
  }
  return true;
}

/** One pass of a verification: samples what is due, decides each check, then schedules the next pass. */
export async function verifyStep(rt: Runtime, jobId: string): Promise<void> {
  const job = await rt.jobs.get(jobId);
  const verification = await rt.verifications.get(jobId);
  if (!job || verification?.status !== "running") return;
  const now = rt.clock.now();
  const planned = planChecks(verification.checks);
  const context = probeContextFromEnv(process.env);
  let next: Date | undefined;
  if (!planned.ok || !context.ok) {
    finish(verification, "failed", planned.ok ? (context.ok ? "" : context.error) : planned.error, now);
  } else {
    for (const [i, check] of planned.value.entries()) {
      const progress = verification.progress[i] ?? { name: check.name, samples: [] };
      verification.progress[i] = progress;
      if (progress.verdict) continue;
      const due = await sampleIfDue(rt, job, check, progress, verification, now, context.value);
      if (due && (!next || due < next)) next = due;
    }
    const failed = verification.progress.find((p) => p.verdict === "failed");
    if (failed) finish(verification, "failed", `${failed.name}: ${failed.reason}`, now);
    else if (verification.progress.every((p) => p.verdict === "passed"))
      finish(
        verification,
        "passed",
        verification.progress.map((p) => `${p.name}: ${p.reason}`).join("; "),
        now,
      );
    else
      verification.reason = `verifying: ${verification.progress.map((p) => `${p.name}: ${p.reason ?? "waiting"}`).join("; ")}`;
  }
  // `finish` changed the status; TypeScript still narrows it to "running" from the check above
  const outcome = verification.status as Verification["status"];
  if (
    outcome === "failed" &&
    verification.onFailure === "revert" &&
    (await rt.verifications.claimRevert(jobId))
  )
    verification.rollback = await revertOnce(
      rt,
      job,
      `the verification after the apply failed: ${verification.reason}`,
    );
  await rt.verifications.put(jobId, verification);
  await writeVerifyCheck(rt, job, verification);
  if (verification.status === "running" && next) {
    const delay = Math.max(0, next.getTime() - now.getTime());
    await rt.queues.addStep({ step: "verify", jobId }, safeId("verify", jobId, next.getTime()), delay);
    return;
  }
  if (verification.status !== "running") {
    await reportMergedPull(rt, job);
    await afterVerification(rt, job, verification);
  }
}

/** The revert PR for a failed verification; a failure to open it is said, not thrown (the stack holds either way). */
async function revertOnce(
  rt: Runtime,
  job: StackJob,
  why: string,
): Promise<{ pull?: number; message: string }> {
  try {
    return await openRevertPull(rt, job, why);
  } catch (error) {
    rt.log.warn({ err: error, jobId: job.id }, "could not open the revert pull request");
    return { message: `could not open the revert PR: ${(error as Error).message}` };
  }
}

function finish(v: Verification, status: "passed" | "failed", reason: string, now: Date): void {
  v.status = status;
  v.reason = reason;
  v.finishedAt = now.toISOString();
}

/** Samples one check when a sample is due; returns when the next is due (undefined: it is decided). */
async function sampleIfDue(
  rt: Runtime,
  job: StackJob,
  check: PlannedCheck,
  progress: CheckProgress,
  verification: Verification,
  now: Date,
  context: Parameters<typeof runProbe>[1],
): Promise<Date | undefined> {
  if (check.kind === "workflow") return workflowCheck(rt, job, check, progress, verification, now);
  const startedAt = new Date(verification.startedAt);
  const samples = () => progress.samples.map((s) => ({ ...s, at: new Date(s.at) }));
  let decision = decideVerification(check.schedule, samples(), startedAt);
  if (decision.verdict === "sample" && decision.at <= now) {
    const result = await runProbe(check, context);
    progress.samples.push({
      at: now.toISOString(),
      ok: result.ok,
      reason: result.reason,
      ...(result.permanent ? { permanent: true } : {}),
    });
    decision = decideVerification(check.schedule, samples(), startedAt);
  }
  progress.reason = decision.reason;
  if (decision.verdict === "sample") return decision.at;
  progress.verdict = decision.verdict;
  return undefined;
}

const WORKFLOW_POLL_MS = 5_000;
const WORKFLOW_TIMEOUT_MS = 60 * 60_000;

function decide(progress: CheckProgress, verdict: "passed" | "failed", reason: string): undefined {
  progress.verdict = verdict;
  progress.reason = reason;
  return undefined;
}

/**
 * A `workflow` check: a verification workflow dispatched like a stack job (inputs `job_id`, `stack`,
 * `sha` and the check's own), whose `flowgate-result` artifact's result.json carries the outcome
 * (`{"outcome": "success" | "failure", "text": "..."}`). This is how Datadog or anything else is
 * reached without flowgate holding its credentials. Polled until it ends, for at most an hour.
 */
async function workflowCheck(
  rt: Runtime,
  job: StackJob,
  check: PlannedWorkflowCheck,
  progress: CheckProgress,
  verification: Verification,
  now: Date,
): Promise<Date | undefined> {
  const port = rt.github({ installationId: job.installationId, owner: job.owner, repo: job.repo });
  const next = new Date(now.getTime() + WORKFLOW_POLL_MS);
  if (!progress.run) {
    progress.run = { dispatchedAt: now.toISOString() };
    // Recorded before dispatching: a retried pass finds it and never dispatches twice.
    await rt.verifications.put(job.id, verification);
    try {
      const { runId } = await port.dispatchWorkflow(check.file, job.dispatchRef ?? "main", {
        ...check.inputs,
        job_id: job.id,
        stack: job.stack,
        sha: job.sha,
      });
      if (runId === undefined) return decide(progress, "failed", `GitHub gave no run id for ${check.file}`);
      progress.run.runId = runId;
      progress.reason = `${check.file}: run ${runId} dispatched`;
      return next;
    } catch (error) {
      return decide(progress, "failed", `${check.file} could not be dispatched: ${(error as Error).message}`);
    }
  }
  const { runId, dispatchedAt } = progress.run;
  if (runId === undefined)
    return decide(progress, "failed", `${check.file} was dispatched but its run is unknown (fail closed)`);
  const run = await port.getRun(runId);
  if (run.status !== "completed") {
    if (now.getTime() - Date.parse(dispatchedAt) > WORKFLOW_TIMEOUT_MS)
      return decide(progress, "failed", `${check.file}: run ${runId} did not end within an hour`);
    progress.reason = `${check.file}: run ${runId} ${run.status}`;
    return next;
  }
  if (run.conclusion !== "success")
    return decide(
      progress,
      "failed",
      `${check.file}: run ${runId} ended ${run.conclusion ?? "without a conclusion"}`,
    );
  const file = await readResultFile(port, runId);
  if (!file.ok) return decide(progress, "failed", `${check.file}: ${file.error}`);
  const result = (file.value ?? {}) as { jobId?: unknown; outcome?: unknown; text?: unknown };
  if (result.jobId !== undefined && result.jobId !== job.id)
    return decide(
      progress,
      "failed",
      `${check.file}: result.json is for job ${String(result.jobId)}, not ${job.id}`,
    );
  const text = typeof result.text === "string" ? `: ${result.text.slice(0, 300)}` : "";
  if (result.outcome === "success") return decide(progress, "passed", `${check.file} passed${text}`);
  if (result.outcome === "failure") return decide(progress, "failed", `${check.file} failed${text}`);
  return decide(progress, "failed", `${check.file}: result.json has no outcome "success" or "failure"`);
}

/** Passed: the stack counts as applied and its dependents go on. Failed: they stop, saying why. */
async function afterVerification(rt: Runtime, job: StackJob, v: Verification): Promise<void> {
  rt.metrics.verifications.inc({ outcome: v.status, environment: job.environment });
  await rt.audit.record({
    type: "verification",
    repo: `${job.owner}/${job.repo}`,
    ...(job.prNumber ? { pr: job.prNumber } : {}),
    stack: job.stack,
    jobId: job.id,
    policy: job.policy.name,
    environment: job.environment,
    decision: v.status,
    reason: v.reason,
  });
  await wakeCommit(rt, job, `${job.stack} verification ${v.status}`);
  for (const id of await rt.applies.dependents(job.id)) {
    if (v.status === "passed") {
      await rt.queues.addStep(
        { step: "advance", jobId: id, reason: `${job.stack} verified` },
        safeId("advance", id, "verified", job.id),
      );
    } else {
      await applyJobEvent(rt, id, {
        type: "dependency-failed",
        dependency: job.id,
        stack: job.stack,
        status: job.status,
        verification: v.reason,
      });
    }
  }
}

async function writeVerifyCheck(rt: Runtime, job: StackJob, v: Verification): Promise<void> {
  // One writer at a time, or the start and the first pass could both create the check.
  await alone(rt, keys.jobVerifyCheckLock(job.id), async () => {
    // From the verification as stored now: a writer holding an older copy never shows it last.
    const input: CheckRunInput = verifyCheck(job, (await rt.verifications.get(job.id)) ?? v);
    const hash = hashOf(input);
    const memo = await rt.verifications.checkMemo(job.id);
    if (memo?.hash === hash) return;
    const port = rt.github({ installationId: job.installationId, owner: job.owner, repo: job.repo });
    const now = rt.clock.now().toISOString();
    const timed = { ...input, ...(input.status === "completed" ? { completedAt: now } : {}) };
    let id = memo?.id;
    if (id !== undefined) await port.updateCheckRun(id, timed);
    else id = await port.createCheckRun({ ...timed, startedAt: now });
    await rt.verifications.setCheckMemo(job.id, id, hash);
  });
}
