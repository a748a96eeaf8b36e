import type { Level, Policy, Stack } from "../../config/types.js";
import { compileGlob } from "../../lang/glob.js";
import { isExpired, parseExpires } from "../../lang/time/expires.js";

/** Selector kinds from least to most specific (SPEC §2.2); any other kind is a resource kind. */
export type SelectorRank = 0 | 1 | 2 | 3;
const RANK_OF_KIND: Record<string, SelectorRank> = { platform: 0, organization: 1, environment: 2 };
const SOURCE_RANK: Record<Level, number> = { platform: 0, organization: 1, repository: 2 };

export function selectorRank(kind: string): SelectorRank {
  return RANK_OF_KIND[kind] ?? 3;
}

const GLOB_CHARS = /[*?[\]{}!]/;

export function isGlob(id: string): boolean {
  return GLOB_CHARS.test(id);
}

/** Characters of an id that are not glob syntax: a longer literal is more specific. */
export function literalLength(id: string): number {
  return id.replace(/[*?[\]{}!]/g, "").length;
}

/** A policy ready for matching: its ordering key is computed once. */
export interface IndexedPolicy {
  policy: Policy;
  rank: SelectorRank;
  sourceRank: number;
  exact: boolean;
  literal: number;
  /** matches an id (organization login, environment or stack name); platform policies match everything */
  matches: (id: string) => boolean;
  enforced: boolean;
  /** set when the policy expires later: a moment the resolution changes */
  expiresAt?: Date;
}

export interface ExpiredPolicy {
  indexed: IndexedPolicy;
  expiredAt: Date;
}

export interface PolicyIndex {
  platform: IndexedPolicy[];
  organization: IndexedPolicy[];
  environmentExact: Map<string, IndexedPolicy[]>;
  environmentGlob: IndexedPolicy[];
  /** resource kind → exact stack name → policies, plus the kind's glob policies */
  resource: Map<string, { exact: Map<string, IndexedPolicy[]>; glob: IndexedPolicy[] }>;
  configuration: IndexedPolicy[];
  expired: ExpiredPolicy[];
}

function indexOne(policy: Policy): IndexedPolicy {
  const kind = policy.selector.kind;
  const id = policy.selector.id ?? "*";
  const exact = !isGlob(id);
  const matcher = exact ? undefined : compileGlob(id);
  const matches =
    kind === "platform" || kind === "configuration"
      ? () => true
      : exact
        ? (value: string) => value === id
        : (value: string) => (matcher ? matcher.test(value) : false);
  return {
    policy,
    rank: selectorRank(kind),
    sourceRank: SOURCE_RANK[policy.origin.level],
    exact,
    literal: literalLength(id),
    matches,
    enforced: policy.enforced && policy.origin.level === "organization",
  };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Index policies once so resolving thousands of stacks does not test every policy against every stack. */
export function buildPolicyIndex(policies: readonly Policy[], now: Date): PolicyIndex {
  const index: PolicyIndex = {
    platform: [],
    organization: [],
    environmentExact: new Map(),
    environmentGlob: [],
    resource: new Map(),
    configuration: [],
    expired: [],
  };
  for (const policy of policies) {
    const indexed = indexOne(policy);
    const expires = policy.annotations.expires;
    if (expires !== undefined) {
      const parsed = parseExpires(expires);
      // An unreadable expiry is reported by validation; here it fails closed by keeping the policy.
      if (parsed.ok) {
        if (isExpired(parsed.value, now)) {
          index.expired.push({ indexed, expiredAt: parsed.value });
          continue;
        }
        indexed.expiresAt = parsed.value;
      }
    }
    const kind = policy.selector.kind;
    if (kind === "platform") index.platform.push(indexed);
    else if (kind === "organization") index.organization.push(indexed);
    else if (kind === "configuration") index.configuration.push(indexed);
    else if (kind === "environment") {
      if (indexed.exact) push(index.environmentExact, policy.selector.id ?? "", indexed);
      else index.environmentGlob.push(indexed);
    } else {
      let byKind = index.resource.get(kind);
      if (!byKind) {
        byKind = { exact: new Map(), glob: [] };
        index.resource.set(kind, byKind);
      }
      if (indexed.exact) push(byKind.exact, policy.selector.id ?? "", indexed);
      else byKind.glob.push(indexed);
    }
  }
  return index;
}

/** Least to most specific: selector kind, then source, then exact before glob, then literal length. */
export function compareSpecificity(a: IndexedPolicy, b: IndexedPolicy): number {
  return (
    a.rank - b.rank ||
    a.sourceRank - b.sourceRank ||
    Number(a.exact) - Number(b.exact) ||
    a.literal - b.literal
  );
}

/** Whether a policy's selector picks this stack (the slow path, for single policies). */
export function selects(p: IndexedPolicy, stack: Stack, org: string | undefined): boolean {
  switch (p.policy.selector.kind) {
    case "platform":
      return true;
    case "configuration":
      return false;
    case "organization":
      return org !== undefined && p.matches(org);
    case "environment":
      return p.matches(stack.environment);
    default:
      return p.policy.selector.kind === stack.kind && p.matches(stack.name);
  }
}

/** The policies that select this stack, least specific first. */
export function matchingPolicies(index: PolicyIndex, stack: Stack, org: string | undefined): IndexedPolicy[] {
  const found: IndexedPolicy[] = [...index.platform];
  if (org !== undefined) for (const p of index.organization) if (p.matches(org)) found.push(p);
  const envExact = index.environmentExact.get(stack.environment);
  if (envExact) found.push(...envExact);
  for (const p of index.environmentGlob) if (p.matches(stack.environment)) found.push(p);
  const byKind = index.resource.get(stack.kind);
  if (byKind) {
    const exact = byKind.exact.get(stack.name);
    if (exact) found.push(...exact);
    for (const p of byKind.glob) if (p.matches(stack.name)) found.push(p);
  }
  return found.sort(compareSpecificity);
}

/** Pairs of matching policies that no rule orders (SPEC §2.2: a validation error naming both files). */
export function tiesAmong(sorted: readonly IndexedPolicy[]): [IndexedPolicy, IndexedPolicy][] {
  const ties: [IndexedPolicy, IndexedPolicy][] = [];
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    if (compareSpecificity(a, b) === 0) ties.push([a, b]);
  }
  return ties;
}
