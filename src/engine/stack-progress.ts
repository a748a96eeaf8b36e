/** How far one stack got with one commit, as progression and rollout decisions read it (issue #13). Plain data. */

export type StackProgress =
  /** not yet applied and verified: waiting, planning, applying or verifying */
  | { state: "pending" }
  /** applied, and its verification (if any) passed at `at` */
  | { state: "verified"; at: Date }
  /** will not be verified for this commit: the apply or the verification failed, or the job ended otherwise */
  | { state: "failed"; reason: string };

export interface StackAtCommit {
  stack: string;
  environment: string;
  progress: StackProgress;
}
