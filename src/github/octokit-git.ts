import type { Octokit } from "@octokit/core";
import { statusOf } from "./errors.js";

type Client = () => Promise<Octokit>;
type Repo = { owner: string; repo: string };

/** The Git Data API calls a rollback makes, for OctokitPort (kept apart: that file is big enough). */
export const gitData = {
  async getCommit(client: Client, repo: Repo, sha: string) {
    const { data } = await (await client()).request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", {
      ...repo,
      commit_sha: sha,
    });
    return {
      sha: data.sha as string,
      parents: (data.parents as { sha: string }[]).map((p) => p.sha),
      treeSha: data.tree.sha as string,
    };
  },

  async fileAt(client: Client, repo: Repo, path: string, ref: string): Promise<string | undefined> {
    try {
      const { data } = await (await client()).request("GET /repos/{owner}/{repo}/contents/{path}", {
        ...repo,
        path,
        ref,
      });
      const file = data as { type?: string; content?: string };
      return file.type === "file" ? Buffer.from(file.content ?? "", "base64").toString("utf8") : undefined;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  },

  async commitFiles(
    client: Client,
    repo: Repo,
    parent: string,
    message: string,
    files: Readonly<Record<string, string | null>>,
  ) {
    const octokit = await client();
    const base = await gitData.getCommit(client, repo, parent);
    const tree = [];
    for (const [path, content] of Object.entries(files)) {
      if (content === null) tree.push({ path, mode: "100644" as const, type: "blob" as const, sha: null });
      else {
        const { data: blob } = await octokit.request("POST /repos/{owner}/{repo}/git/blobs", {
          ...repo,
          content: Buffer.from(content, "utf8").toString("base64"),
          encoding: "base64",
        });
        tree.push({ path, mode: "100644" as const, type: "blob" as const, sha: blob.sha as string });
      }
    }
    const { data: made } = await octokit.request("POST /repos/{owner}/{repo}/git/trees", {
      ...repo,
      base_tree: base.treeSha,
      tree,
    });
    const { data: commit } = await octokit.request("POST /repos/{owner}/{repo}/git/commits", {
      ...repo,
      message,
      tree: made.sha,
      parents: [parent],
    });
    return commit.sha as string;
  },

  async createBranch(client: Client, repo: Repo, name: string, sha: string) {
    await (await client()).request("POST /repos/{owner}/{repo}/git/refs", {
      ...repo,
      ref: `refs/heads/${name}`,
      sha,
    });
  },

  async createPull(
    client: Client,
    repo: Repo,
    input: { title: string; head: string; base: string; body: string },
  ) {
    const { data } = await (await client()).request("POST /repos/{owner}/{repo}/pulls", {
      ...repo,
      ...input,
    });
    return data.number as number;
  },
};
