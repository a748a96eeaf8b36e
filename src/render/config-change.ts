import { escapeText } from "./markdown.js";

/** What a person needs to see of one stack's effective flow control. */
export interface ResolvedSummary {
  policy: string;
  steps: string;
  approvals: string;
  gates: string;
  autoMerge: string;
}

/** One stack whose effective flow control differs between the default branch and the PR head. */
export interface StackChange {
  stack: string;
  /** undefined: the stack does not exist on the default branch */
  was?: ResolvedSummary;
  /** undefined: the PR head removes the stack */
  will?: ResolvedSummary;
}

const SHOWN = 20;
const FIELDS: [keyof ResolvedSummary, string][] = [
  ["policy", "policy"],
  ["steps", "after merge"],
  ["approvals", "approvals"],
  ["gates", "gates"],
  ["autoMerge", "auto-merge"],
];

function describe(s: ResolvedSummary): string {
  return FIELDS.map(([key, label]) => `${label} ${escapeText(s[key], 300)}`).join("; ");
}

function changeLine(c: StackChange): string {
  const name = `\`${escapeText(c.stack, 100)}\``;
  if (!c.was && c.will) return `- ${name} (new): ${describe(c.will)}`;
  if (c.was && !c.will) return `- ${name}: removed by this change`;
  const was = c.was!;
  const will = c.will!;
  const diffs = FIELDS.filter(([key]) => was[key] !== will[key]).map(
    ([key, label]) => `${label} ${escapeText(was[key], 200)} becomes ${escapeText(will[key], 200)}`,
  );
  return `- ${name}: ${diffs.join("; ")}`;
}

/**
 * SPEC §2.3: the sticky comment shows what a configuration change would do (`flowgate explain` of the
 * PR head), stack by stack, while the PR itself is still judged by the default branch.
 */
export function configChangeExplain(changes: readonly StackChange[], notCompared: number): string {
  const head =
    "**What this change would do** (`flowgate explain` at the PR head; it applies only after the merge):";
  const more = notCompared > 0 ? `\n- … ${notCompared} more stack(s) not compared` : "";
  if (changes.length === 0) return `${head} no stack's effective flow control changes.${more}`;
  const lines = changes.slice(0, SHOWN).map(changeLine);
  const rest = changes.length > SHOWN ? `\n- … and ${changes.length - SHOWN} more stack(s) change` : "";
  return `${head}\n${lines.join("\n")}${rest}${more}`;
}

/** The PR head's configuration cannot be used: what is wrong there. */
export function configChangeProblems(problems: readonly string[]): string {
  const first = escapeText(problems[0] ?? "", 500);
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
  return `**What this change would do**: nothing yet — the configuration at the PR head is invalid: ${first}${more}`;
}
