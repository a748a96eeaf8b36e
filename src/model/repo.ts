/** The facts about repositories and pull requests every layer shares: webhooks make them, workers read them. */

export interface RepoRef {
  installationId: number;
  owner: string;
  repo: string;
}

export interface RepoInfo extends RepoRef {
  repoId: number;
  defaultBranch: string;
  private: boolean;
}

export interface PullFacts {
  number: number;
  nodeId: string;
  headSha: string;
  headRef: string;
  baseRef: string;
  baseSha: string;
  author: string;
  authorIsBot: boolean;
  draft: boolean;
  fork: boolean;
  labels: string[];
  state: "open" | "closed";
  merged: boolean;
  mergeCommitSha: string | null;
  changedFiles?: number;
}
