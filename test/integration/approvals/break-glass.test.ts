import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, seedRepo, startHarness } from "../../support/harness.js";
import {
  finishPlan,
  gateCheck,
  openPlannedPull,
  openPull,
  policyYaml,
  push,
  say,
  seedInfra,
  settle,
  stackYaml,
  sticky,
  verdict,
  waitForReaction,
  waitForReply,
  waitForSticky,
  waitForVerdict,
} from "./support.js";

const ORG_POLICY = `apiVersion: flowgate/v1
kind: FlowControlPolicy
metadata: { name: acme-break-glass }
spec:
  selector: { kind: organization, id: acme }
  flowControl:
    breakGlass: { allowedUsers: [oncall-olga], notify: ["@acme/security"] }
`;

/** The repository tries to let its own people break glass: ignored (SPEC §2). */
const REPO_POLICY = policyYaml(`    pauseBetweenPreviewAndUpdateOrDestroy: true
    breakGlass: { allowedUsers: [mallory] }
`);

const GATE = `apiVersion: flowgate/v1
kind: Gate
metadata: { name: change-freeze }
spec:
  default: closed
`;

describe("break-glass /override (SPEC §3.2)", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it("only organization breakGlass users, with a reason, bypass approvals and gates for the current head", async () => {
    const since = new Date(Date.now() - 1000);
    seedRepo(h.gh, { ".github/flowgate/break-glass.yml": ORG_POLICY }, ".github");
    const repo = seedInfra(h, {
      ".github/flowgate/stacks.yml": `${stackYaml("  gates: [change-freeze]\n")}---\n${REPO_POLICY}---\n${GATE}`,
    });
    for (const login of ["oncall-olga", "mallory"]) h.gh.setPermission(repo.fullName, login, "write");
    const pr = await openPlannedPull(h, repo);
    await waitForVerdict(h, pr, "pending", "gate change-freeze: closed by default");

    const noReason = await say(h, pr, "oncall-olga", "/override");
    expect(await waitForReaction(h, noReason)).toBe("confused");
    await waitForReply(h, pr, "oncall-olga", 'a reason is required: /override --reason "INCIDENT-123: ..."');

    const repoListed = await say(h, pr, "mallory", '/override --reason "INCIDENT-1: I say so"');
    expect(await waitForReaction(h, repoListed)).toBe("confused");
    await waitForReply(h, pr, "mallory", "mallory is not among breakGlass allowed users [oncall-olga]");
    await settle(300);
    expect(verdict(gateCheck(h, repo, pr.head))).toBe("pending");

    const glass = await say(
      h,
      pr,
      "oncall-olga",
      '/override --reason "INCIDENT-1: primary database is down"',
    );
    expect(await waitForReaction(h, glass)).toBe("+1");
    const announcement = await h.waitFor(
      () =>
        h.gh
          .comments(repo.fullName, pr.pull.number)
          .find((c) => c.viaApp && c.body.includes("Break-glass override")),
      "the break-glass announcement",
    );
    expect(announcement.body).toContain(`by @oncall-olga at ${glass.createdAt}`);
    expect(announcement.body).toContain(`for head \`${pr.head.slice(0, 7)}\``);
    expect(announcement.body).toContain("Reason: INCIDENT-1: primary database is down");
    expect(announcement.body).toContain("cc @acme/security");

    const passed = await waitForVerdict(h, pr, "success");
    expect(passed.output.title).toBe("1 stack ready (break-glass override)");
    await waitForSticky(h, pr, "break-glass override by @oncall-olga");

    const audit = await h.app.runtime.audit.since(since);
    expect(audit).toContainEqual(
      expect.objectContaining({
        type: "override",
        actor: "oncall-olga",
        reason: "INCIDENT-1: primary database is down",
        pr: pr.pull.number,
      }),
    );
    expect(audit).toContainEqual(expect.objectContaining({ type: "override-refused", actor: "mallory" }));

    // A new head is not covered by the override.
    const next = await push(h, pr);
    await finishPlan(h, repo, next);
    const held = await waitForVerdict(h, pr, "pending", "gate change-freeze: closed by default", next);
    expect(held.output.summary).toContain("0 of 1 approval");
    await waitForSticky(h, pr, `Head \`${next.slice(0, 7)}\``);
    expect(sticky(h, pr)?.body).not.toContain("break-glass override by");
  });

  it("covers the stacks whose policy grants it, never a configuration change or files no stack owns", async () => {
    seedRepo(h.gh, { ".github/flowgate/break-glass.yml": ORG_POLICY }, ".github");
    const repo = seedInfra(h, { ".github/flowgate/stacks.yml": stackYaml() });
    h.gh.setPermission(repo.fullName, "oncall-olga", "write");
    // The stack change rides with a weakening of flowgate's own policy and a file no stack owns.
    const pr = await openPull(h, repo, {
      files: {
        "infra/prod/billing-db/main.tf": "# bigger db\n",
        ".github/flowgate/relax.yml": policyYaml(
          "    pauseBetweenPreviewAndUpdateOrDestroy: false\n",
          "relaxed",
        ),
        "infra/prod/orphan/main.tf": "# nobody owns me\n",
      },
    });
    await finishPlan(h, repo, pr.head);
    const glass = await say(h, pr, "oncall-olga", '/override --reason "INCIDENT-9: outage"');
    expect(await waitForReaction(h, glass)).toBe("+1");
    const held = await waitForVerdict(h, pr, "pending", "configuration change needs approval");
    expect(held.output.summary).toContain("infrastructure file(s) belong to no stack");
    expect(held.output.summary).toContain("`infra/prod/orphan/main.tf`");
    await settle(300);
    expect(verdict(gateCheck(h, repo, pr.head))).toBe("pending");
  });
});
