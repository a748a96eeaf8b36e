import type { Diagnostic, Policy, Stack } from "../../config/types.js";
import {
  buildPolicyIndex,
  compareSpecificity,
  type IndexedPolicy,
  matchingPolicies,
  tiesAmong,
} from "./selectors.js";

function where(p: Policy): string {
  const at = p.origin.pos(["spec", "selector"]);
  return `${p.origin.file}:${at.line}`;
}

function diagnostic(a: IndexedPolicy, b: IndexedPolicy, forWhat: string): Diagnostic {
  const at = b.policy.origin.pos(["spec", "selector"]);
  return {
    severity: "error",
    file: b.policy.origin.file,
    line: at.line,
    col: at.col,
    message:
      `policy "${b.policy.name}" ties with policy "${a.policy.name}" (${where(a.policy)}) ${forWhat}: ` +
      "same selector kind, same source and same specificity, so neither can win; make one id more specific or merge them",
  };
}

/**
 * Selector ties (SPEC §2.2), once per pair of policies: those that tie for a known stack, and those
 * with the same selector from the same source, which tie for any stack they would match.
 */
export function findTies(
  policies: readonly Policy[],
  stacks: readonly Stack[],
  opts: { org?: string; now: Date },
): Diagnostic[] {
  const index = buildPolicyIndex(policies, opts.now);
  const seen = new Set<string>();
  const found: Diagnostic[] = [];
  const report = (a: IndexedPolicy, b: IndexedPolicy, forWhat: string) => {
    const key = [
      a.policy.origin.file,
      a.policy.origin.index,
      b.policy.origin.file,
      b.policy.origin.index,
    ].join("\0");
    if (seen.has(key)) return;
    seen.add(key);
    found.push(diagnostic(a, b, forWhat));
  };
  for (const stack of stacks) {
    for (const [a, b] of tiesAmong(matchingPolicies(index, stack, opts.org)))
      report(a, b, `for stack "${stack.name}"`);
  }
  // Identical selectors from one source tie whatever the stacks are.
  const bySelector = new Map<string, IndexedPolicy[]>();
  const all = [
    ...index.platform,
    ...index.organization,
    ...index.configuration,
    ...[...index.environmentExact.values()].flat(),
    ...index.environmentGlob,
    ...[...index.resource.values()].flatMap((r) => [...[...r.exact.values()].flat(), ...r.glob]),
  ];
  for (const p of all) {
    const key = [p.policy.selector.kind, p.policy.selector.id ?? "", p.policy.origin.level].join("\0");
    const list = bySelector.get(key);
    if (list) list.push(p);
    else bySelector.set(key, [p]);
  }
  for (const list of bySelector.values()) {
    for (let i = 1; i < list.length; i++) {
      const a = list[i - 1]!;
      const b = list[i]!;
      if (compareSpecificity(a, b) === 0) {
        const sel = b.policy.selector;
        report(a, b, `for selector ${sel.kind}${sel.id === undefined ? "" : `/${sel.id}`}`);
      }
    }
  }
  return found;
}
