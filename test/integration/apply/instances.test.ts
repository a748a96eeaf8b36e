/**
 * SPEC §6/§7: several app processes on one Redis, with the same webhooks reaching both, dispatch every
 * workflow once: no stack job's plan or apply is ever dispatched twice.
 */
import { afterEach, beforeEach, expect, it } from "vitest";
import { type Harness, planResult, seedRepo, startHarness } from "../../support/harness.js";
import { pullRequestEvent, pushEvent } from "../../support/webhooks.js";
import {
  concluded,
  configFiles,
  dispatchesOf,
  expectOneCheckPerJob,
  mergePull,
  openPull,
  REPO,
  waitForApplyCheck,
} from "./support.js";

const POLICY = `apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: fast }
spec:
  selector: { kind: environment, id: production }
  flowControl:
    previewBeforeUpdateOrDestroy: true
    pauseBetweenPreviewAndUpdateOrDestroy: false
`;

const STACKS = [
  { name: "network", environment: "production" },
  { name: "api", environment: "production", dependsOn: ["network"] },
  { name: "jobs", environment: "production", dependsOn: ["network"] },
  { name: "web", environment: "production", dependsOn: ["api"] },
  { name: "cdn", environment: "production" },
];

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  expectOneCheckPerJob(h);
  await h.stop();
});

it("two app instances on one Redis, each webhook delivered to both: every plan and apply dispatched once", async () => {
  seedRepo(h.gh, configFiles(STACKS, POLICY));
  h.gh.setPermission(REPO, "alice", "write");
  const second = await h.another();
  const secondUrl = `http://127.0.0.1:${await second.listen(0, "127.0.0.1")}/api/github/webhooks`;
  // Every run succeeds on its own, a little later.
  h.gh.autoRun = ({ dispatch }) =>
    dispatch ? { conclusion: "success", result: planResult(dispatch), delayMs: 20 } : undefined;

  const pull = await openPull(
    h,
    STACKS.map((s) => s.name),
  );
  const before = h.gh.repo(REPO).branches.get("main")!;
  // The fake sends its merge webhooks to the second instance; the first gets them again as
  // separate deliveries (as reconciliation or a second hook would).
  h.gh.setWebhookTarget(secondUrl);
  const sha = await mergePull(h, pull.number);
  h.gh.setWebhookTarget(h.webhookUrl);
  const merged = h.gh.pull(REPO, pull.number);
  await h.gh.sendWebhook("pull_request", pullRequestEvent(h.gh, "closed", merged));
  await h.gh.sendWebhook(
    "push",
    pushEvent(h.gh, h.gh.repo(REPO), { before, after: sha, pusher: "flowgate[bot]" }),
  );

  for (const stack of STACKS) await waitForApplyCheck(h, sha, stack.name, concluded("success"), "success");
  await h.gh.settle();

  const counts = new Map<string, number>();
  for (const d of h.gh.dispatches(REPO)) {
    const key = `${d.inputs.job_id} ${d.inputs.operation}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  expect([...counts.entries()].filter(([, n]) => n > 1)).toEqual([]);
  const applies = dispatchesOf(h, { operation: "apply", sha });
  expect(applies.map((d) => d.inputs.stack).sort()).toEqual(STACKS.map((s) => s.name).sort());
  // And in dependency order: network before api and jobs, api before web.
  const at = (stack: string) => applies.findIndex((d) => d.inputs.stack === stack);
  expect(at("network")).toBeLessThan(at("api"));
  expect(at("network")).toBeLessThan(at("jobs"));
  expect(at("api")).toBeLessThan(at("web"));
  // One apply check per stack on the merge commit, not one per instance.
  for (const stack of STACKS)
    expect(h.gh.checkRuns(REPO, { headSha: sha, name: `flowgate/apply: ${stack.name}` })).toHaveLength(1);
});
