/**
 * A check run belongs to a commit, not to a pull request: when several open PRs have the same head,
 * the one `flowgate` check on it is read by all of them. flowgate writes the strictest of their
 * verdicts, so a lenient PR (into a branch that already holds the change) cannot turn a held PR green.
 */
export type Verdict = "success" | "failure" | "pending";

export interface HeadVerdict {
  number: number;
  baseRef: string;
  conclusion: Verdict;
  title: string;
}

const STRICTNESS: Record<Verdict, number> = { success: 0, pending: 1, failure: 2 };

export interface CombinedVerdict {
  conclusion: Verdict;
  title: string;
  /** a paragraph for the check saying which other PRs hold this commit, empty when none does */
  note: string;
}

/** The verdict to write on the shared head: this PR's own unless another open PR's is stricter. */
export function combineHeadVerdicts(own: HeadVerdict, others: readonly HeadVerdict[]): CombinedVerdict {
  const stricter = others
    .filter((o) => STRICTNESS[o.conclusion] > STRICTNESS[own.conclusion])
    .sort((a, b) => STRICTNESS[b.conclusion] - STRICTNESS[a.conclusion] || a.number - b.number);
  const holding = others.filter((o) => o.conclusion !== "success");
  const note =
    holding.length === 0
      ? ""
      : [
          "**This commit is also the head of other open pull requests.** A check belongs to a commit, so the " +
            "`flowgate` check on it shows the strictest verdict of every open pull request with this head:",
          ...holding.map((o) => `- #${o.number} into \`${o.baseRef}\`: ${o.conclusion} — ${o.title}`),
        ].join("\n");
  const strictest = stricter[0];
  if (!strictest) return { conclusion: own.conclusion, title: own.title, note };
  return {
    conclusion: strictest.conclusion,
    title: `Held by #${strictest.number} into ${strictest.baseRef}: ${strictest.title}`.slice(0, 200),
    note,
  };
}
