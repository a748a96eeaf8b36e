/**
 * A tiny content-addressed git model: real git object SHAs for blobs, trees and commits,
 * so SHAs behave like GitHub's (same content, same SHA) and trees can be listed by SHA.
 */
import { createHash } from "node:crypto";
import type { CommitState, GitPerson, RepoState, TreeEntry, TreeNode } from "./state.js";

function gitHash(kind: string, body: Buffer): string {
  const header = Buffer.from(`${kind} ${body.length}\0`);
  return createHash("sha1").update(header).update(body).digest("hex");
}

export function blobSha(content: string): string {
  return gitHash("blob", Buffer.from(content, "utf8"));
}

/** Builds every tree object of a snapshot, registers trees and blobs in the repository, returns the root SHA. */
export function storeTrees(repo: RepoState, files: ReadonlyMap<string, string>): string {
  interface Dir {
    files: Map<string, string>;
    dirs: Map<string, Dir>;
  }
  const root: Dir = { files: new Map(), dirs: new Map() };
  for (const [path, content] of files) {
    const parts = path.split("/");
    let dir = root;
    for (const part of parts.slice(0, -1)) {
      let child = dir.dirs.get(part);
      if (!child) {
        child = { files: new Map(), dirs: new Map() };
        dir.dirs.set(part, child);
      }
      dir = child;
    }
    dir.files.set(parts[parts.length - 1] ?? path, content);
  }
  const write = (dir: Dir, path: string): string => {
    const entries: TreeEntry[] = [];
    for (const [name, content] of dir.files) {
      const sha = blobSha(content);
      repo.blobs.set(sha, content);
      entries.push({ name, mode: "100644", type: "blob", sha, size: Buffer.byteLength(content) });
    }
    for (const [name, child] of dir.dirs) {
      entries.push({
        name,
        mode: "040000",
        type: "tree",
        sha: write(child, path ? `${path}/${name}` : name),
      });
    }
    // git sorts tree entries by name, directories as if they ended in "/"
    const key = (e: TreeEntry) => (e.type === "tree" ? `${e.name}/` : e.name);
    entries.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    const body = Buffer.concat(
      entries.map((e) =>
        Buffer.concat([
          Buffer.from(`${e.mode === "040000" ? "40000" : e.mode} ${e.name}\0`),
          Buffer.from(e.sha, "hex"),
        ]),
      ),
    );
    const sha = gitHash("tree", body);
    const node: TreeNode = { sha, path, entries };
    repo.trees.set(sha, node);
    return sha;
  };
  return write(root, "");
}

export interface NewCommit {
  parents: string[];
  files: ReadonlyMap<string, string>;
  message: string;
  author: GitPerson;
  committer?: GitPerson;
}

let commitSeq = 0;

export function createCommit(repo: RepoState, input: NewCommit): CommitState {
  const treeSha = storeTrees(repo, input.files);
  const committer = input.committer ?? input.author;
  const stamp = (p: GitPerson) => `${p.name} <${p.email}> ${Math.floor(Date.parse(p.date) / 1000)} +0000`;
  const text = [
    `tree ${treeSha}`,
    ...input.parents.map((p) => `parent ${p}`),
    `author ${stamp(input.author)}`,
    `committer ${stamp(committer)}`,
    "",
    input.message,
    "",
  ].join("\n");
  const sha = gitHash("commit", Buffer.from(text, "utf8"));
  const existing = repo.commits.get(sha);
  if (existing) return existing;
  commitSeq += 1;
  const commit: CommitState = {
    sha,
    treeSha,
    parents: [...input.parents],
    message: input.message,
    author: input.author,
    committer,
    files: input.files,
    seq: commitSeq,
  };
  repo.commits.set(sha, commit);
  return commit;
}

/** Applies `path → content | null` (null deletes) to a snapshot. */
export function applyChanges(
  base: ReadonlyMap<string, string>,
  changes: Record<string, string | null>,
): Map<string, string> {
  const next = new Map(base);
  for (const [path, content] of Object.entries(changes)) {
    const clean = path.replace(/^\/+/, "");
    if (content === null) next.delete(clean);
    else next.set(clean, content);
  }
  return next;
}

/** Resolves a branch name, `refs/heads/x`, `heads/x`, a full SHA or a unique SHA prefix (≥ 7). */
export function resolveRef(repo: RepoState, ref: string): CommitState | undefined {
  const branch = ref.replace(/^refs\/heads\//, "").replace(/^heads\//, "");
  const branchSha = repo.branches.get(branch);
  if (branchSha) return repo.commits.get(branchSha);
  const exact = repo.commits.get(ref.toLowerCase());
  if (exact) return exact;
  if (/^[0-9a-f]{7,39}$/i.test(ref)) {
    const matches = [...repo.commits.keys()].filter((sha) => sha.startsWith(ref.toLowerCase()));
    if (matches.length === 1 && matches[0]) return repo.commits.get(matches[0]);
  }
  return undefined;
}

export function ancestors(repo: RepoState, sha: string): Set<string> {
  const seen = new Set<string>();
  const queue = [sha];
  while (queue.length > 0) {
    const next = queue.pop() as string;
    if (seen.has(next)) continue;
    seen.add(next);
    for (const parent of repo.commits.get(next)?.parents ?? []) queue.push(parent);
  }
  return seen;
}

/** The nearest common ancestor, found breadth first from `b`. */
export function mergeBase(repo: RepoState, a: string, b: string): string | undefined {
  const fromA = ancestors(repo, a);
  const seen = new Set<string>();
  const queue = [b];
  while (queue.length > 0) {
    const next = queue.shift() as string;
    if (seen.has(next)) continue;
    seen.add(next);
    if (fromA.has(next)) return next;
    queue.push(...(repo.commits.get(next)?.parents ?? []));
  }
  return undefined;
}

/** Commits reachable from `head` and not from `base`, oldest first (like `git log --reverse base..head`). */
export function commitsBetween(repo: RepoState, base: string | null, head: string): CommitState[] {
  const excluded = base ? ancestors(repo, base) : new Set<string>();
  return [...ancestors(repo, head)]
    .filter((sha) => !excluded.has(sha))
    .map((sha) => repo.commits.get(sha))
    .filter((c): c is CommitState => c !== undefined)
    .sort(byDateThenSeq);
}

/** Everything reachable from `head`, newest first, like `git log`. */
export function log(repo: RepoState, head: string): CommitState[] {
  return commitsBetween(repo, null, head).reverse();
}

function byDateThenSeq(a: CommitState, b: CommitState): number {
  const byDate = Date.parse(a.committer.date) - Date.parse(b.committer.date);
  return byDate !== 0 ? byDate : a.seq - b.seq;
}

export interface FileChange {
  filename: string;
  status: "added" | "removed" | "modified";
  sha: string;
  additions: number;
  deletions: number;
  patch: string;
}

/** The file-level diff between two snapshots, sorted by path. */
export function diffSnapshots(
  from: ReadonlyMap<string, string>,
  to: ReadonlyMap<string, string>,
): FileChange[] {
  const paths = new Set([...from.keys(), ...to.keys()]);
  const changes: FileChange[] = [];
  for (const filename of [...paths].sort()) {
    const before = from.get(filename);
    const after = to.get(filename);
    if (before === after) continue;
    const oldLines = before === undefined ? [] : splitLines(before);
    const newLines = after === undefined ? [] : splitLines(after);
    const { additions, deletions } = countLineChanges(oldLines, newLines);
    changes.push({
      filename,
      status: before === undefined ? "added" : after === undefined ? "removed" : "modified",
      sha: blobSha(after ?? before ?? ""),
      additions,
      deletions,
      patch: [
        `@@ -${oldLines.length ? 1 : 0},${oldLines.length} +${newLines.length ? 1 : 0},${newLines.length} @@`,
        ...oldLines.map((l) => `-${l}`),
        ...newLines.map((l) => `+${l}`),
      ].join("\n"),
    });
  }
  return changes;
}

function splitLines(text: string): string[] {
  if (text === "") return [];
  return text.replace(/\n$/, "").split("\n");
}

/** Lines only in the new side count as additions, lines only in the old side as deletions (multiset difference). */
function countLineChanges(oldLines: string[], newLines: string[]): { additions: number; deletions: number } {
  const counts = new Map<string, number>();
  for (const line of oldLines) counts.set(line, (counts.get(line) ?? 0) + 1);
  let additions = 0;
  for (const line of newLines) {
    const left = counts.get(line) ?? 0;
    if (left > 0) counts.set(line, left - 1);
    else additions += 1;
  }
  let deletions = 0;
  for (const left of counts.values()) deletions += left;
  return { additions, deletions };
}

/** Three-way merge of snapshots, file by file; a file changed differently on both sides is a conflict. */
export function mergeSnapshots(
  base: ReadonlyMap<string, string>,
  ours: ReadonlyMap<string, string>,
  theirs: ReadonlyMap<string, string>,
): { files: Map<string, string>; conflicts: string[] } {
  const files = new Map<string, string>();
  const conflicts: string[] = [];
  for (const path of new Set([...base.keys(), ...ours.keys(), ...theirs.keys()])) {
    const b = base.get(path);
    const o = ours.get(path);
    const t = theirs.get(path);
    let merged: string | undefined;
    if (o === t || t === b) merged = o;
    else if (o === b) merged = t;
    else {
      conflicts.push(path);
      merged = o;
    }
    if (merged !== undefined) files.set(path, merged);
  }
  return { files, conflicts: conflicts.sort() };
}
