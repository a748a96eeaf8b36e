import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PullState } from "../../support/fake-github/index.js";
import { type Fixture, startFixture, statusOf } from "./setup.js";

let f: Fixture;
let pull: PullState;
beforeAll(async () => {
  f = await startFixture();
  const sha = f.gh.commit("acme/infra", "change", { "a.tf": "a\n" });
  pull = f.gh.openPull({
    repo: "acme/infra",
    head: { ref: "change", sha },
    user: "alice",
    labels: ["flowgate:no-automerge"],
  });
});
afterAll(() => f.gh.stop());

const repo = { owner: "acme", repo: "infra" };

describe("comments and reactions", () => {
  it("authors comments made with an installation token as the app's bot, and edits them in place", async () => {
    const { data: created, status } = await f.octokit.rest.issues.createComment({
      ...repo,
      issue_number: pull.number,
      body: "<!-- flowgate -->\nhello",
    });
    expect(status).toBe(201);
    expect(created.user).toMatchObject({ login: "flowgate[bot]", type: "Bot" });
    expect(created.performed_via_github_app?.slug).toBe("flowgate");
    const { data: edited } = await f.octokit.rest.issues.updateComment({
      ...repo,
      comment_id: created.id,
      body: "<!-- flowgate -->\nbye",
    });
    expect(edited.body).toBe("<!-- flowgate -->\nbye");
    const { data: read } = await f.octokit.rest.issues.getComment({ ...repo, comment_id: created.id });
    expect(read.body).toBe("<!-- flowgate -->\nbye");
    expect(f.gh.comments("acme/infra", pull.number).map((c) => c.body)).toEqual(["<!-- flowgate -->\nbye"]);
    expect(
      await statusOf(f.octokit.rest.issues.createComment({ ...repo, issue_number: pull.number, body: "" })),
    ).toBe(422);
    expect(
      await statusOf(f.octokit.rest.issues.createComment({ ...repo, issue_number: 999, body: "x" })),
    ).toBe(404);
  });

  it("lists people's and the bot's comments in order, paged", async () => {
    const human = f.gh.addComment("acme/infra", pull.number, { login: "bob", body: "/approve" });
    const all = await f.octokit.paginate(f.octokit.rest.issues.listComments, {
      ...repo,
      issue_number: pull.number,
      per_page: 1,
    });
    expect(all.at(-1)).toMatchObject({
      id: human.id,
      body: "/approve",
      user: { login: "bob", type: "User" },
    });
    expect(all.map((c) => c.id)).toEqual([...all.map((c) => c.id)].sort((a, b) => a - b));
  });

  it("adds a reaction once per user and content (201, then 200)", async () => {
    const comment = f.gh.addComment("acme/infra", pull.number, { login: "bob", body: "/plan" });
    const first = await f.octokit.rest.reactions.createForIssueComment({
      ...repo,
      comment_id: comment.id,
      content: "eyes",
    });
    expect(first.status).toBe(201);
    const again = await f.octokit.rest.reactions.createForIssueComment({
      ...repo,
      comment_id: comment.id,
      content: "eyes",
    });
    expect(again.status).toBe(200);
    expect(again.data.id).toBe(first.data.id);
    expect(f.gh.reactions(comment.id).map((r) => [r.content, r.user.login])).toEqual([
      ["eyes", "flowgate[bot]"],
    ]);
    const bad = fetch(`${f.url}/repos/acme/infra/issues/comments/${comment.id}/reactions`, {
      method: "POST",
      headers: { authorization: `token ${f.token}`, "content-type": "application/json" },
      body: JSON.stringify({ content: "party" }),
    });
    expect((await bad).status).toBe(422);
  });

  it("answers the issue of a pull request with its labels", async () => {
    const { data } = await f.octokit.rest.issues.get({ ...repo, issue_number: pull.number });
    expect(data.labels.map((l) => (typeof l === "string" ? l : l.name))).toEqual(["flowgate:no-automerge"]);
    expect(data.pull_request?.url).toContain(`/pulls/${pull.number}`);
  });
});

describe("permissions, teams, organization roles", () => {
  it("reports permission and role_name like GitHub", async () => {
    const cases = [
      ["admin", "admin"],
      ["maintain", "write"],
      ["write", "write"],
      ["triage", "read"],
      ["read", "read"],
      ["none", "none"],
    ] as const;
    for (const [role, permission] of cases) {
      const login = `user-${role}`;
      f.gh.setPermission("acme/infra", login, role);
      const { data } = await f.octokit.rest.repos.getCollaboratorPermissionLevel({
        ...repo,
        username: login,
      });
      expect([data.permission, data.role_name]).toEqual([permission, role]);
    }
    f.gh.setOrgRole("acme", "owner-olga", "admin");
    const { data: owner } = await f.octokit.rest.repos.getCollaboratorPermissionLevel({
      ...repo,
      username: "owner-olga",
    });
    expect(owner.permission).toBe("admin");
    f.gh.addComment("acme/infra", pull.number, { login: "stranger", body: "hi" });
    const { data: stranger } = await f.octokit.rest.repos.getCollaboratorPermissionLevel({
      ...repo,
      username: "stranger",
    });
    expect(stranger.permission).toBe("none");
    expect(
      await statusOf(f.octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username: "ghost" })),
    ).toBe(404);
  });

  it("answers team memberships (200 active or 404) and organization roles", async () => {
    f.gh.addTeam("acme", "platform-team", ["Alice"]);
    const { data } = await f.octokit.rest.teams.getMembershipForUserInOrg({
      org: "acme",
      team_slug: "platform-team",
      username: "alice",
    });
    expect(data.state).toBe("active");
    expect(
      await statusOf(
        f.octokit.rest.teams.getMembershipForUserInOrg({
          org: "acme",
          team_slug: "platform-team",
          username: "bob",
        }),
      ),
    ).toBe(404);
    expect(
      await statusOf(
        f.octokit.rest.teams.getMembershipForUserInOrg({ org: "acme", team_slug: "nope", username: "alice" }),
      ),
    ).toBe(404);

    f.gh.setOrgRole("acme", "olga", "admin");
    f.gh.setOrgRole("acme", "mia", "member");
    const { data: olga } = await f.octokit.rest.orgs.getMembershipForUser({ org: "acme", username: "olga" });
    expect(olga).toMatchObject({ role: "admin", state: "active" });
    const { data: mia } = await f.octokit.rest.orgs.getMembershipForUser({ org: "acme", username: "mia" });
    expect(mia.role).toBe("member");
    expect(await statusOf(f.octokit.rest.orgs.getMembershipForUser({ org: "acme", username: "bob" }))).toBe(
      404,
    );
    // another organization is not the installation's to see
    expect(
      await statusOf(f.octokit.rest.orgs.getMembershipForUser({ org: "globex", username: "olga" })),
    ).toBe(404);
  });
});
