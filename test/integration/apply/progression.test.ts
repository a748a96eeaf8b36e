/**
 * Issue 13: environment progression and gradual rollout. Production waits for the same commit's
 * verified apply in staging, then for the soak; a failure in staging holds it. Five stacks roll out in
 * waves of 1, 2 and 2, and a failure in the second wave stops the third.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import {
  applyCheck,
  completeRun,
  concluded,
  configFiles,
  dispatchesOf,
  mergePull,
  openPull,
  REPO,
  settle,
  waitForApplyCheck,
  waitForDispatch,
} from "./support.js";

const direct = (env: string, extra = "") => `apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: direct-${env} }
spec:
  selector: { kind: environment, id: ${env} }
  flowControl:
    previewBeforeUpdateOrDestroy: false
    pauseBetweenPreviewAndUpdateOrDestroy: false
${extra}`;

let healthStatus = 200;
let server: Server;
let url = "";
const previous = process.env.FLOWGATE_VERIFY_ALLOWED_HOSTS;
beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(healthStatus, { "content-type": "application/json" });
    res.end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  url = `http://127.0.0.1:${port}/health`;
  process.env.FLOWGATE_VERIFY_ALLOWED_HOSTS = `127.0.0.1:${port}`;
});
afterAll(async () => {
  if (previous === undefined) delete process.env.FLOWGATE_VERIFY_ALLOWED_HOSTS;
  else process.env.FLOWGATE_VERIFY_ALLOWED_HOSTS = previous;
  await new Promise((resolve) => server.close(resolve));
});

describe("staging → production", () => {
  let h: Harness;
  afterEach(async () => {
    await h.stop();
  });

  async function mergeToBoth() {
    h = await startHarness();
    const staging = direct("staging", `    verify:\n      - http: { url: "${url}", interval: 1s }\n`);
    const production = direct("production", "    progression: { after: [staging], soak: 2s }\n");
    seedRepo(
      h.gh,
      configFiles(
        [
          { name: "web-staging", environment: "staging" },
          { name: "web-prod", environment: "production" },
        ],
        staging,
        production,
      ),
    );
    h.gh.setPermission(REPO, "alice", "write");
    const pull = await openPull(h, ["web-staging", "web-prod"]);
    const sha = await mergePull(h, pull.number);
    const first = await waitForDispatch(h, { stack: "web-staging", operation: "apply", sha });
    return { sha, first };
  }

  it("production waits for staging's verified apply of the same commit, then for the soak", async () => {
    healthStatus = 200;
    const { sha, first } = await mergeToBoth();
    const waiting = await waitForApplyCheck(
      h,
      sha,
      "web-prod",
      (c) =>
        (c.output.summary ?? "").includes(
          "waits for this commit to be applied and verified in staging (web-staging)",
        ),
      "production to wait for staging",
    );
    expect(waiting.status).not.toBe("completed");
    await completeRun(h, first);
    await h.waitFor(
      () =>
        h.gh
          .checkRuns(REPO, { headSha: sha, name: "flowgate/verify: web-staging" })
          .find((c) => c.conclusion === "success"),
      "staging to be verified",
    );
    const verifiedSeenAt = Date.now();
    const soaking = await waitForApplyCheck(
      h,
      sha,
      "web-prod",
      (c) => (c.output.summary ?? "").includes("soaking for 2s"),
      "the soak",
    ).catch((error) => {
      throw new Error(
        `${error}: ${JSON.stringify(applyCheck(h, sha, "web-prod")?.output)} ${JSON.stringify(dispatchesOf(h, { sha }).map((d) => d.inputs.stack))}`,
      );
    });
    expect(soaking.status).not.toBe("completed");
    expect(dispatchesOf(h, { sha }).map((d) => d.inputs.stack)).toEqual(["web-staging"]);
    const prod = await waitForDispatch(h, { stack: "web-prod", operation: "apply", sha });
    expect(prod.inputs.stack).toBe("web-prod");
    // the 2 s soak starts when staging's verification passed, at most one poll before it was seen
    expect(Date.now() - verifiedSeenAt).toBeGreaterThanOrEqual(1500);
  });

  it("a failed staging verification holds production, saying why", async () => {
    healthStatus = 500;
    const { sha, first } = await mergeToBoth();
    await completeRun(h, first);
    const held = await waitForApplyCheck(
      h,
      sha,
      "web-prod",
      (c) => (c.output.summary ?? "").includes("held: this commit failed in an earlier environment"),
      "production to be held",
    );
    expect(held.output.summary).toContain("web-staging (staging): verification failed");
    await settle(1500);
    expect(dispatchesOf(h, { sha }).map((d) => d.inputs.stack)).toEqual(["web-staging"]);
  });
});

describe("gradual rollout in waves of 1, 2, 2", () => {
  let h: Harness;
  afterEach(async () => {
    await h.stop();
  });

  it("each wave starts after the one before it; a failure in the second stops the third", async () => {
    h = await startHarness();
    const names = ["s1", "s2", "s3", "s4", "s5"];
    seedRepo(
      h.gh,
      configFiles(
        names.map((name) => ({ name, environment: "production" })),
        direct("production", "    rollout: { waves: [1, 2, 2] }\n"),
      ),
    );
    h.gh.setPermission(REPO, "alice", "write");
    const pull = await openPull(h, names);
    const sha = await mergePull(h, pull.number);
    const s1 = await waitForDispatch(h, { stack: "s1", operation: "apply", sha });
    await settle(300);
    expect(dispatchesOf(h, { sha }).map((d) => d.inputs.stack)).toEqual(["s1"]);
    expect(applyCheck(h, sha, "s2")?.output.summary).toContain("wave 2 of 3 waits for the earlier waves");
    await completeRun(h, s1);
    const s2 = await waitForDispatch(h, { stack: "s2", operation: "apply", sha });
    const s3 = await waitForDispatch(h, { stack: "s3", operation: "apply", sha });
    await settle(300);
    expect(
      dispatchesOf(h, { sha })
        .map((d) => d.inputs.stack)
        .sort(),
    ).toEqual(["s1", "s2", "s3"]);
    await completeRun(h, s2);
    await completeRun(h, s3, { conclusion: "failure" });
    for (const stack of ["s4", "s5"]) {
      const stopped = await waitForApplyCheck(h, sha, stack, concluded("cancelled"), "cancelled");
      expect(stopped.output.summary).toContain("an earlier wave failed (s3: apply ended failed");
    }
    expect(
      dispatchesOf(h, { sha })
        .map((d) => d.inputs.stack)
        .sort(),
    ).toEqual(["s1", "s2", "s3"]);
  });
});
