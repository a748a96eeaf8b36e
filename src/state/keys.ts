/** Every Redis key flowgate writes, in one place. */
export const keys = {
  /** the write pacer's next free slot per installation (github/pacer.ts) */
  pace: (installationId: number) => `fg:pace:${installationId}`,
  consoleSession: (id: string) => `fg:console:session:${id}`,
  /** who a console token belongs to, by the token's hash */
  consoleIdentity: (tokenHash: string) => `fg:console:who:${tokenHash}`,
  pull: (repoId: number, n: number) => `fg:pr:${repoId}:${n}`,
  pullEvents: (repoId: number, n: number) => `fg:pr:${repoId}:${n}:events`,
  pullReviews: (repoId: number, n: number) => `fg:pr:${repoId}:${n}:reviews`,
  /** ids of dismissed reviews: a replayed `submitted` delivery of one never brings it back */
  pullDismissedReviews: (repoId: number, n: number) => `fg:pr:${repoId}:${n}:reviews:dismissed`,
  /** one Approve click per person and check run: a replayed click adds nothing */
  checkClick: (checkRunId: number, login: string) => `fg:click:${checkRunId}:${login.toLowerCase()}`,
  pullChecks: (repoId: number, n: number) => `fg:pr:${repoId}:${n}:checks`,
  pullPlans: (repoId: number, n: number) => `fg:pr:${repoId}:${n}:plans`,
  pullOverrides: (repoId: number, n: number) => `fg:pr:${repoId}:${n}:overrides`,
  pullRejectionsCounted: (repoId: number, n: number) => `fg:pr:${repoId}:${n}:rejections`,
  pullApproved: (repoId: number, n: number) => `fg:pr:${repoId}:${n}:approved`,
  jobApprovals: (id: string) => `fg:job:${id}:approvals`,
  jobRule: (id: string) => `fg:job:${id}:rule`,
  /** the apply job's `flowgate/apply: <stack>` check: its id and what it last said */
  jobCheck: (id: string) => `fg:job:${id}:check`,
  /** verification after an apply job succeeded (issue 13) */
  jobVerification: (id: string) => `fg:job:${id}:verify`,
  /** its `flowgate/verify` check run: id and what it last said; and the lock of its one writer */
  jobVerifyCheck: (id: string) => `fg:job:${id}:verify-check`,
  jobVerifyCheckLock: (id: string) => `fg:job:${id}:verify-check-lock`,
  /** the revert PR opened for a failed verification (once per job) */
  jobRevert: (id: string) => `fg:job:${id}:revert`,
  jobDependents: (id: string) => `fg:job:${id}:dependents`,
  pullRequests: (repoId: number, n: number) => `fg:pr:${repoId}:${n}:requests`,
  pullRequestsDone: (repoId: number, n: number) => `fg:pr:${repoId}:${n}:requests:done`,
  /** the changed files of a PR for one (base branch, head) pair: a new base lists them again */
  pullFiles: (repoId: number, n: number, baseRef: string, sha: string) =>
    `fg:pr:${repoId}:${n}:files:${sha}:${baseRef}`,
  /** every open PR's verdict on one head commit: the `flowgate` check on it holds for all of them */
  headVerdicts: (repoId: number, sha: string) => `fg:repo:${repoId}:head:${sha}:verdicts`,
  headLock: (repoId: number, sha: string) => `fg:lock:head:${repoId}:${sha}`,
  pullSeq: (repoId: number, n: number) => `fg:pr:${repoId}:${n}:seq`,
  pullDone: (repoId: number, n: number) => `fg:pr:${repoId}:${n}:done`,
  pullLock: (repoId: number, n: number) => `fg:lock:pr:${repoId}:${n}`,
  openPulls: (repoId: number) => `fg:repo:${repoId}:open`,
  /** SCAN pattern over every repository's openPulls set */
  openPullsPattern: () => "fg:repo:*:open",
  job: (id: string) => `fg:job:${id}`,
  jobText: (id: string) => `fg:job:${id}:text`,
  jobByRun: (runId: number) => `fg:run:${runId}`,
  openJobs: () => "fg:jobs:open",
  /** every stack job's pending deadline, scored by when it falls due (wall-clock ms) */
  jobDeadlines: () => "fg:jobs:deadlines",
  stackJobs: (repoId: number, stack: string) => `fg:stack:${repoId}:${stack}:jobs`,
  stackLock: (repoId: number, stack: string) => `fg:stack:${repoId}:${stack}:lock`,
  stackFence: (repoId: number, stack: string) => `fg:stack:${repoId}:${stack}:fence`,
  stackApplied: (repoId: number, stack: string) => `fg:stack:${repoId}:${stack}:applied`,
  stackPolicy: (repoId: number, stack: string) => `fg:stack:${repoId}:${stack}:policy`,
  pendingStacks: (installationId: number) => `fg:pending:${installationId}`,
  /** SCAN pattern over every installation's pendingStacks set */
  pendingStacksPattern: () => "fg:pending:*",
  pullStickyLock: (repoId: number, n: number) => `fg:pr:${repoId}:${n}:sticky-lock`,
  gate: (scope: string, name: string) => `fg:gate:${scope}:${name}`,
  gateHolds: (scope: string, name: string) => `fg:gate:${scope}:${name}:holds`,
  installation: (id: number) => `fg:inst:${id}`,
  lastSeenCommit: (repoId: number) => `fg:repo:${repoId}:seen`,
  /** what reconciliation last heard (see state/reconcile.ts): the installation's repositories, with ETags */
  listedRepos: (installationId: number) => `fg:inst:${installationId}:repos`,
  /** … a repository's open PRs, with ETags */
  listedOpenPulls: (repoId: number) => `fg:repo:${repoId}:pulls:listed`,
  /** … its default branch's head, with ETag, and whether flowgate configuration is there */
  defaultBranchHead: (repoId: number) => `fg:repo:${repoId}:default-head`,
  /** set while a repository without configuration (anywhere) is left out of reconciliation */
  repoAtRest: (repoId: number) => `fg:repo:${repoId}:at-rest`,
  commitJobs: (repoId: number, sha: string) => `fg:repo:${repoId}:commit:${sha}`,
  permission: (repoId: number, login: string) => `fg:perm:${repoId}:${login.toLowerCase()}`,
  team: (org: string, team: string, login: string) => `fg:team:${org}:${team}:${login.toLowerCase()}`,
  /** SCAN pattern over cached team memberships (`*` for any team or login) */
  teamPattern: (org: string, team: string, login = "*") =>
    `fg:team:${org}:${team}:${login === "*" ? "*" : login.toLowerCase()}`,
  orgOwner: (org: string, login: string) => `fg:owner:${org}:${login.toLowerCase()}`,
  /** set while the organization is known to have no `.github/flowgate/` (see state/org-config.ts) */
  orgConfigAbsent: (org: string) => `fg:org:${org.toLowerCase()}:config-absent`,
  audit: () => "fg:audit",
  stateEpoch: () => "fg:epoch",
} as const;
