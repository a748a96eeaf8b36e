import type { WorkflowRun } from "../github/port.js";
import type { PullFacts, RepoInfo } from "../model/repo.js";

export type { PullFacts, RepoInfo };

/** A webhook reduced to what flowgate needs; small enough to sit in a queue by the thousand. */
export type FlowgateEvent =
  | {
      type: "pull";
      repo: RepoInfo;
      action: string;
      pull: PullFacts;
      /** set when the base branch changed (`edited` with `changes.base`) */
      baseChanged: boolean;
      /** the pusher of a `synchronize` (the `sender`) */
      sender: { login: string; isBot: boolean };
      at: string;
      /** `synchronize`: the head the push replaced (orders events GitHub stamps with the same second) */
      before?: string;
    }
  | {
      type: "review";
      repo: RepoInfo;
      action: string;
      number: number;
      /** who submitted or dismissed it (a dismissal is made by someone else than the reviewer) */
      sender: string;
      review: {
        id: number;
        login: string;
        isBot: boolean;
        state: string;
        commitId: string;
        submittedAt: string;
      };
    }
  | {
      type: "comment";
      repo: RepoInfo;
      number: number;
      isPull: boolean;
      comment: { id: number; body: string; login: string; isBot: boolean; createdAt: string };
    }
  | {
      type: "check-action";
      repo: RepoInfo;
      checkRun: { id: number; name: string; headSha: string; externalId: string | null };
      identifier: string;
      sender: { login: string; isBot: boolean };
      at: string;
    }
  | {
      type: "run";
      repo: RepoInfo;
      action: string;
      run: WorkflowRun;
    }
  | {
      type: "push";
      repo: RepoInfo;
      ref: string;
      before: string;
      after: string;
      forced: boolean;
      pusher: string;
    }
  | { type: "merge-group"; repo: RepoInfo; headSha: string; headRef: string; baseRef: string }
  /** the organization's `.github` repository was created or renamed: its configuration may be new */
  | { type: "org-config"; repo: RepoInfo }
  | {
      /** who may approve changed: a collaborator (`member`), a team's members (`membership`), a team (`team`) */
      type: "people";
      installationId: number;
      org: string;
      /** the repository, for `member` (and `team` events about one repository) */
      repo?: RepoInfo;
      login?: string;
      team?: string;
    }
  | {
      type: "deployment-rule";
      repo: RepoInfo;
      environment: string;
      runId: number | null;
      callbackUrl: string;
    }
  | { type: "installation"; installationId: number; action: string };
