import type { ProbotOctokit } from "probot";
import type { MergeMethod, Permission } from "../config/types.js";
import { appBotLogin, isBotAccount } from "../model/bots.js";
import { statusOf } from "./errors.js";
import { gitData } from "./octokit-git.js";
import type {
  CheckRunInfo,
  CheckRunInput,
  CommitInfo,
  Conditional,
  DirEntry,
  GitHubPort,
  InstallationRepo,
  IssueComment,
  ListPage,
  PagedList,
  PullFiles,
  PullInfo,
  Reaction,
  RepoRef,
  Review,
  WorkflowRun,
} from "./port.js";
import { toPullInfo, toRun } from "./shapes.js";

export type Octokit = InstanceType<typeof ProbotOctokit>;

// biome-ignore lint/suspicious/noExplicitAny: GitHub's JSON, narrowed field by field below
type Json = any;

/** GitHub returns at most this many files for a pull request or a comparison. */
export const GITHUB_FILE_LIST_LIMIT = 3000;

async function conditional<T>(
  run: () => Promise<{ data: Json; headers: Record<string, unknown> }>,
  map: (data: Json) => T,
): Promise<Conditional<T>> {
  try {
    const response = await run();
    const etag = typeof response.headers.etag === "string" ? response.headers.etag : undefined;
    return { status: "ok", value: map(response.data), ...(etag ? { etag } : {}) };
  } catch (error) {
    const status = statusOf(error);
    if (status === 304) return { status: "not-modified" };
    if (status === 404) return { status: "not-found" };
    throw error;
  }
}

const etagHeaders = (etag?: string) => (etag ? { "if-none-match": etag } : {});

const PAGE_SIZE = 100;

type RawRequest = (
  route: string,
  params: Record<string, unknown>,
) => Promise<{ data: Json; headers: Record<string, unknown> }>;

/**
 * Reads a page-numbered list page by page, each page conditionally with the ETag it had in
 * `previous`. A page answered 304 is the previous one; a full page is followed by the next even
 * when unchanged, since items may have been added after it.
 */
async function conditionalPages<T>(
  request: RawRequest,
  route: string,
  params: Record<string, unknown>,
  itemsOf: (data: Json) => T[],
  previous: readonly ListPage<T>[] = [],
): Promise<PagedList<T>> {
  const pages: ListPage<T>[] = [];
  let changed = false;
  for (let page = 1; ; page++) {
    const before = previous[page - 1];
    let more: boolean;
    try {
      const response = await request(route, {
        ...params,
        per_page: PAGE_SIZE,
        page,
        headers: etagHeaders(before?.etag),
      });
      const etag = typeof response.headers.etag === "string" ? response.headers.etag : undefined;
      pages.push({ ...(etag ? { etag } : {}), items: itemsOf(response.data) });
      changed = true;
      more = /rel="next"/.test(String(response.headers.link ?? ""));
    } catch (error) {
      if (statusOf(error) !== 304 || !before) throw error;
      pages.push(before);
      more = before.items.length >= PAGE_SIZE;
    }
    if (!more) break;
  }
  return { pages, changed: changed || pages.length !== previous.length };
}

function checkBody(input: Partial<CheckRunInput>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (input.name !== undefined) body.name = input.name;
  if (input.headSha !== undefined) body.head_sha = input.headSha;
  if (input.status !== undefined) body.status = input.status;
  if (input.conclusion !== undefined) body.conclusion = input.conclusion;
  if (input.externalId !== undefined) body.external_id = input.externalId;
  if (input.detailsUrl !== undefined) body.details_url = input.detailsUrl;
  if (input.startedAt !== undefined) body.started_at = input.startedAt;
  if (input.completedAt !== undefined) body.completed_at = input.completedAt;
  if (input.title !== undefined || input.summary !== undefined) {
    body.output = {
      title: input.title ?? "flowgate",
      summary: input.summary ?? "",
      ...(input.text ? { text: input.text } : {}),
    };
  }
  if (input.actions !== undefined) body.actions = input.actions;
  return body;
}

const MERGE_METHOD_GRAPHQL: Record<MergeMethod, string> = {
  merge: "MERGE",
  squash: "SQUASH",
  rebase: "REBASE",
};

export class OctokitPort implements GitHubPort {
  constructor(
    private readonly client: () => Promise<Octokit>,
    readonly ref: RepoRef,
    private readonly appSlug: string,
  ) {}

  private get repo() {
    return { owner: this.ref.owner, repo: this.ref.repo };
  }

  listDirectory(path: string, ref: string, etag?: string): Promise<Conditional<DirEntry[]>> {
    return conditional(
      async () =>
        (await this.client()).request("GET /repos/{owner}/{repo}/contents/{path}", {
          ...this.repo,
          path,
          ...(ref ? { ref } : {}),
          headers: etagHeaders(etag),
        }),
      (data) =>
        (Array.isArray(data) ? data : []).map((e: Json) => ({
          name: e.name,
          path: e.path,
          type: e.type,
          sha: e.sha,
          ...(typeof e.size === "number" ? { size: e.size } : {}),
        })),
    );
  }

  readFile(path: string, ref: string, etag?: string): Promise<Conditional<{ text: string; sha: string }>> {
    return conditional(
      async () =>
        (await this.client()).request("GET /repos/{owner}/{repo}/contents/{path}", {
          ...this.repo,
          path,
          ...(ref ? { ref } : {}),
          headers: etagHeaders(etag),
        }),
      (data) => ({ text: Buffer.from(data.content ?? "", "base64").toString("utf8"), sha: data.sha }),
    );
  }

  async readBlob(sha: string): Promise<string> {
    const { data } = await (await this.client()).request("GET /repos/{owner}/{repo}/git/blobs/{file_sha}", {
      ...this.repo,
      file_sha: sha,
    });
    return Buffer.from(data.content, data.encoding === "base64" ? "base64" : "utf8").toString("utf8");
  }

  listTree(ref: string, etag?: string): Promise<Conditional<{ paths: string[]; truncated: boolean }>> {
    return conditional(
      async () =>
        (await this.client()).request("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", {
          ...this.repo,
          tree_sha: ref,
          recursive: "1",
          headers: etagHeaders(etag),
        }),
      (data) => ({
        paths: (data.tree ?? []).filter((e: Json) => e.type === "blob").map((e: Json) => e.path as string),
        truncated: Boolean(data.truncated),
      }),
    );
  }

  async getPull(number: number): Promise<PullInfo> {
    const { data } = await (await this.client()).request("GET /repos/{owner}/{repo}/pulls/{pull_number}", {
      ...this.repo,
      pull_number: number,
    });
    return toPullInfo(data);
  }

  async listOpenPulls(previous?: readonly ListPage<PullInfo>[]): Promise<PagedList<PullInfo>> {
    return conditionalPages(
      (await this.client()).request as unknown as RawRequest,
      "GET /repos/{owner}/{repo}/pulls",
      { ...this.repo, state: "open" },
      (data) => (data as Json[]).map(toPullInfo),
      previous,
    );
  }

  async listPullFiles(number: number, changedFiles?: number): Promise<PullFiles> {
    const files = await (await this.client()).paginate(
      "GET /repos/{owner}/{repo}/pulls/{pull_number}/files",
      {
        ...this.repo,
        pull_number: number,
        per_page: 100,
      },
    );
    const total = changedFiles ?? files.length;
    return {
      files: files.map((f: Json) => ({
        filename: f.filename,
        status: f.status,
        ...(f.previous_filename ? { previousFilename: f.previous_filename } : {}),
      })),
      // A full list of 3,000 is complete only when GitHub says the PR changes exactly that many.
      complete: files.length < GITHUB_FILE_LIST_LIMIT ? files.length >= total : changedFiles === files.length,
      changedFiles: total,
    };
  }

  async listPullPushers(number: number): Promise<string[]> {
    const commits = await (await this.client()).paginate(
      "GET /repos/{owner}/{repo}/pulls/{pull_number}/commits",
      {
        ...this.repo,
        pull_number: number,
        per_page: 100,
      },
    );
    const logins = new Set<string>();
    for (const c of commits as Json[]) {
      if (c.author?.login) logins.add(c.author.login);
      if (c.committer?.login && c.committer.login !== "web-flow") logins.add(c.committer.login);
    }
    return [...logins];
  }

  async listReviews(number: number): Promise<Review[]> {
    const reviews = await (await this.client()).paginate(
      "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
      {
        ...this.repo,
        pull_number: number,
        per_page: 100,
      },
    );
    return (reviews as Json[]).map((r) => ({
      id: r.id,
      login: r.user?.login ?? "",
      isBot: isBotAccount(r.user),
      state: r.state,
      commitId: r.commit_id ?? "",
      submittedAt: r.submitted_at ?? "",
    }));
  }

  async listPullsForCommit(sha: string): Promise<PullInfo[]> {
    const { data } = await (await this.client()).request(
      "GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls",
      {
        ...this.repo,
        commit_sha: sha,
      },
    );
    return (data as Json[]).map(toPullInfo);
  }

  async compareFiles(base: string, head: string): Promise<PullFiles> {
    const { data } = await (await this.client()).request("GET /repos/{owner}/{repo}/compare/{basehead}", {
      ...this.repo,
      basehead: `${base}...${head}`,
      per_page: 100,
    });
    const files = (data.files ?? []) as Json[];
    return {
      files: files.map((f) => ({
        filename: f.filename,
        status: f.status,
        ...(f.previous_filename ? { previousFilename: f.previous_filename } : {}),
      })),
      complete: files.length < GITHUB_FILE_LIST_LIMIT && files.length < 300,
      changedFiles: files.length,
    };
  }

  async compareCommitTitles(base: string, head: string): Promise<{ titles: string[]; complete: boolean }> {
    // Without pagination parameters GitHub lists up to 250 commits.
    const { data } = await (await this.client()).request("GET /repos/{owner}/{repo}/compare/{basehead}", {
      ...this.repo,
      basehead: `${base}...${head}`,
    });
    const commits = (data.commits ?? []) as Json[];
    return {
      titles: commits.map((c) => String(c.commit?.message ?? "").split("\n")[0] ?? ""),
      complete: commits.length >= (data.total_commits ?? 0),
    };
  }

  async listCommits(branch: string, since?: string): Promise<CommitInfo[]> {
    const commits = await (await this.client()).paginate("GET /repos/{owner}/{repo}/commits", {
      ...this.repo,
      sha: branch,
      per_page: 100,
      ...(since ? { since } : {}),
    });
    return (commits as Json[]).map((c) => ({
      sha: c.sha,
      parents: (c.parents ?? []).map((p: Json) => p.sha),
      date: c.commit?.committer?.date ?? "",
    }));
  }

  branchHead(branch: string, etag?: string): Promise<Conditional<string>> {
    return conditional(
      async () =>
        (await this.client()).request("GET /repos/{owner}/{repo}/branches/{branch}", {
          ...this.repo,
          branch,
          headers: etagHeaders(etag),
        }),
      (data) => data.commit.sha as string,
    );
  }

  async listInstallationRepos(
    previous?: readonly ListPage<InstallationRepo>[],
  ): Promise<PagedList<InstallationRepo>> {
    return conditionalPages(
      (await this.client()).request as unknown as RawRequest,
      "GET /installation/repositories",
      {},
      (data) =>
        ((data.repositories ?? []) as Json[]).map((r) => ({
          id: r.id,
          owner: r.owner.login,
          repo: r.name,
          defaultBranch: r.default_branch ?? "main",
          private: Boolean(r.private),
        })),
      previous,
    );
  }

  async createCheckRun(input: CheckRunInput): Promise<number> {
    const { data } = await (await this.client()).request("POST /repos/{owner}/{repo}/check-runs", {
      ...this.repo,
      ...checkBody(input),
    } as Json);
    return Number(data.id);
  }

  async updateCheckRun(id: number, input: Partial<CheckRunInput>): Promise<void> {
    const { head_sha: _ignored, ...body } = checkBody(input);
    await (await this.client()).request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
      ...this.repo,
      check_run_id: id,
      ...body,
    } as Json);
  }

  async listCheckRuns(sha: string, name?: string): Promise<CheckRunInfo[]> {
    const runs = await (await this.client()).paginate("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", {
      ...this.repo,
      ref: sha,
      per_page: 100,
      ...(name ? { check_name: name } : {}),
    });
    return (runs as Json[]).map((r) => ({
      id: r.id,
      name: r.name,
      headSha: r.head_sha,
      status: r.status,
      conclusion: r.conclusion ?? null,
      externalId: r.external_id ?? null,
      appSlug: r.app?.slug ?? null,
    }));
  }

  async listComments(issue: number): Promise<IssueComment[]> {
    const comments = await (await this.client()).paginate(
      "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
      {
        ...this.repo,
        issue_number: issue,
        per_page: 100,
      },
    );
    return (comments as Json[]).map((c) => ({
      id: c.id,
      body: c.body ?? "",
      login: c.user?.login ?? "",
      isBot: isBotAccount(c.user),
      createdAt: c.created_at ?? "",
    }));
  }

  async createComment(issue: number, body: string): Promise<number> {
    const { data } = await (await this.client()).request(
      "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
      {
        ...this.repo,
        issue_number: issue,
        body,
      },
    );
    return Number(data.id);
  }

  async updateComment(id: number, body: string): Promise<void> {
    await (await this.client()).request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", {
      ...this.repo,
      comment_id: id,
      body,
    });
  }

  async addReaction(commentId: number, content: Reaction): Promise<void> {
    await (await this.client()).request("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", {
      ...this.repo,
      comment_id: commentId,
      content,
    });
  }

  async getPermission(login: string): Promise<Permission | "none"> {
    try {
      const { data } = await (await this.client()).request(
        "GET /repos/{owner}/{repo}/collaborators/{username}/permission",
        {
          ...this.repo,
          username: login,
        },
      );
      const role = (data as Json).role_name as string | undefined;
      if (role === "maintain" || role === "triage") return role;
      const p = (data as Json).permission as string;
      return p === "admin" || p === "write" || p === "read" ? p : "none";
    } catch (error) {
      if (statusOf(error) === 404) return "none";
      throw error;
    }
  }

  async isTeamMember(org: string, team: string, login: string): Promise<boolean> {
    try {
      const { data } = await (await this.client()).request(
        "GET /orgs/{org}/teams/{team_slug}/memberships/{username}",
        {
          org,
          team_slug: team,
          username: login,
        },
      );
      return (data as Json).state === "active";
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }

  async isOrgOwner(org: string, login: string): Promise<boolean> {
    try {
      const { data } = await (await this.client()).request("GET /orgs/{org}/memberships/{username}", {
        org,
        username: login,
      });
      return (data as Json).state === "active" && (data as Json).role === "admin";
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }

  async dispatchWorkflow(
    workflow: string,
    ref: string,
    inputs: Record<string, string>,
  ): Promise<{ runId?: number }> {
    const response = await (await this.client()).request(
      "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches",
      {
        ...this.repo,
        workflow_id: workflow,
        ref,
        inputs,
        return_run_details: true,
      } as Json,
    );
    const runId = (response.data as Json)?.workflow_run_id;
    return typeof runId === "number" ? { runId } : {};
  }

  async findRunsForJob(workflow: string, jobId: string, since: Date): Promise<WorkflowRun[]> {
    const { data } = await (await this.client()).request(
      "GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs",
      {
        ...this.repo,
        workflow_id: workflow,
        event: "workflow_dispatch",
        created: `>=${since.toISOString()}`,
        per_page: 100,
      },
    );
    const title = `flowgate ${jobId}`;
    const bot = appBotLogin(this.appSlug);
    return ((data as Json).workflow_runs as Json[])
      .map(toRun)
      .filter((r) => r.displayTitle === title && (r.actor === null || r.actor === bot));
  }

  async getRun(runId: number): Promise<WorkflowRun> {
    const { data } = await (await this.client()).request("GET /repos/{owner}/{repo}/actions/runs/{run_id}", {
      ...this.repo,
      run_id: runId,
    });
    return toRun(data);
  }

  getCommit(sha: string) {
    return gitData.getCommit(this.client, this.repo, sha);
  }

  fileAt(path: string, ref: string) {
    return gitData.fileAt(this.client, this.repo, path, ref);
  }

  commitFiles(parent: string, message: string, files: Readonly<Record<string, string | null>>) {
    return gitData.commitFiles(this.client, this.repo, parent, message, files);
  }

  createBranch(name: string, sha: string) {
    return gitData.createBranch(this.client, this.repo, name, sha);
  }

  createPull(input: { title: string; head: string; base: string; body: string }) {
    return gitData.createPull(this.client, this.repo, input);
  }

  async downloadArtifact(
    runId: number,
    name: string,
    maxBytes: number,
  ): Promise<Uint8Array | "missing" | "expired" | "too-large"> {
    const { data } = await (await this.client()).request(
      "GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts",
      {
        ...this.repo,
        run_id: runId,
        name,
      },
    );
    const artifact = ((data as Json).artifacts as Json[]).find((a) => a.name === name);
    if (!artifact) return "missing";
    if (artifact.expired) return "expired";
    if (typeof artifact.size_in_bytes === "number" && artifact.size_in_bytes > maxBytes) return "too-large";
    try {
      const response = await (await this.client()).request(
        "GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}",
        {
          ...this.repo,
          artifact_id: artifact.id,
          archive_format: "zip",
        },
      );
      const bytes = new Uint8Array(response.data as ArrayBuffer);
      return bytes.byteLength > maxBytes ? "too-large" : bytes;
    } catch (error) {
      if (statusOf(error) === 410) return "expired";
      if (statusOf(error) === 404) return "missing";
      throw error;
    }
  }

  async cancelRun(runId: number): Promise<void> {
    try {
      await (await this.client()).request("POST /repos/{owner}/{repo}/actions/runs/{run_id}/cancel", {
        ...this.repo,
        run_id: runId,
      });
    } catch (error) {
      // 409: the run already finished; nothing to cancel.
      if (statusOf(error) !== 409) throw error;
    }
  }

  async reviewDeployment(
    runId: number,
    environment: string,
    state: "approved" | "rejected",
    comment: string,
  ): Promise<void> {
    await (await this.client()).request(
      "POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule",
      {
        ...this.repo,
        run_id: runId,
        environment_name: environment,
        state,
        comment,
      } as Json,
    );
  }

  async enableAutoMerge(pullNodeId: string, headSha: string, method: MergeMethod): Promise<void> {
    // `method` (like `query`, `url`, `headers`) is an option of @octokit/graphql, not a usable variable name.
    await (await this.client()).graphql(
      `mutation($id: ID!, $sha: GitObjectID!, $mergeMethod: PullRequestMergeMethod!) {
        enablePullRequestAutoMerge(input: { pullRequestId: $id, expectedHeadOid: $sha, mergeMethod: $mergeMethod }) { clientMutationId }
      }`,
      { id: pullNodeId, sha: headSha, mergeMethod: MERGE_METHOD_GRAPHQL[method] },
    );
  }

  async disableAutoMerge(pullNodeId: string): Promise<void> {
    await (await this.client()).graphql(
      `mutation($id: ID!) { disablePullRequestAutoMerge(input: { pullRequestId: $id }) { clientMutationId } }`,
      { id: pullNodeId },
    );
  }

  async mergePull(
    number: number,
    headSha: string,
    method: MergeMethod,
  ): Promise<"merged" | "head-moved" | "not-mergeable"> {
    try {
      await (await this.client()).request("PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge", {
        ...this.repo,
        pull_number: number,
        sha: headSha,
        merge_method: method,
      });
      return "merged";
    } catch (error) {
      const status = statusOf(error);
      if (status === 409) return "head-moved";
      if (status === 405) return "not-mergeable";
      throw error;
    }
  }
}
