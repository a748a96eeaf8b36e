/**
 * A plan's fingerprint (SPEC §4): an approval given on a PR carries over to the post-merge plan
 * when both plans make the same resource changes. Only what happens to which resource counts:
 * attribute values, order, no-ops, reads and duplicates do not.
 */
import { createHash } from "node:crypto";

/** Actions that change nothing: left out so a refresh or a data source read cannot break carry-over. */
const NOT_CHANGES = new Set(["no-op", "noop", "read", "same", "refresh"]);

/** One spelling per action: `["delete","create"]`, `delete-create`, `create,delete` are all `replace`. */
function normaliseAction(action: string): string {
  const a = action.trim().toLowerCase();
  const words = a.split(/[^a-z]+/).filter((w) => w !== "");
  if (words.length === 2 && words.includes("delete") && words.includes("create")) return "replace";
  return a;
}

/** sha256 hex over the sorted, de-duplicated `(address, action)` pairs of real changes. */
export function planFingerprint(resources: readonly { address: string; action: string }[]): string {
  const pairs = new Set<string>();
  for (const r of resources) {
    const action = normaliseAction(r.action);
    if (NOT_CHANGES.has(action)) continue;
    // JSON keeps the encoding unambiguous whatever characters an address holds.
    pairs.add(JSON.stringify([r.address, action]));
  }
  // Plain code-unit order: the same on every machine, unlike localeCompare.
  const sorted = [...pairs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash("sha256")
    .update(`[${sorted.join(",")}]`, "utf8")
    .digest("hex");
}
