import type { Stack } from "../config/types.js";
import { type CompiledGlob, compileGlob } from "../lang/glob.js";

export interface AffectedStacks {
  /** stack name → the changed files it owns, in the order of the stacks given */
  stacks: Map<string, string[]>;
  /** changed files that no stack owns but `unownedInfraFiles` matches: they hold the PR (SPEC §2.1) */
  unownedInfra: string[];
}

interface Entry {
  stack: number;
  glob: CompiledGlob;
}

interface TrieNode {
  children: Map<string, TrieNode>;
  entries: Entry[];
}

const newNode = (): TrieNode => ({ children: new Map(), entries: [] });

/**
 * Matches changed files to stacks through their `paths` globs. Globs hang in a trie under their
 * literal directory prefix, so a file is only tested against globs whose prefix it lies under:
 * 100,000 files against 2,000 stacks stays well under a second.
 */
export class StackMatcher {
  private readonly root = newNode();
  private readonly names: string[];

  constructor(stacks: readonly Stack[]) {
    this.names = stacks.map((s) => s.name);
    stacks.forEach((stack, i) => {
      for (const pattern of stack.paths) {
        const glob = compileGlob(pattern);
        let node = this.root;
        for (const segment of glob.literalPrefix.split("/").filter(Boolean)) {
          let child = node.children.get(segment);
          if (!child) {
            child = newNode();
            node.children.set(segment, child);
          }
          node = child;
        }
        node.entries.push({ stack: i, glob });
      }
    });
  }

  /** Indexes of the stacks owning `file`. */
  owners(file: string, into: Set<number> = new Set()): Set<number> {
    let node: TrieNode | undefined = this.root;
    let start = 0;
    while (node) {
      for (const entry of node.entries)
        if (!into.has(entry.stack) && entry.glob.test(file)) into.add(entry.stack);
      const slash = file.indexOf("/", start);
      if (slash < 0) break;
      node = node.children.get(file.slice(start, slash));
      start = slash + 1;
    }
    return into;
  }

  affected(files: readonly string[], unownedInfraFiles: readonly string[] = []): AffectedStacks {
    const byStack = new Map<number, string[]>();
    const unowned: string[] = [];
    const infraGlobs = unownedInfraFiles.map(compileGlob);
    const owners = new Set<number>();
    for (const file of files) {
      owners.clear();
      this.owners(file, owners);
      if (owners.size === 0) {
        if (infraGlobs.some((g) => g.test(file))) unowned.push(file);
        continue;
      }
      for (const i of owners) {
        const list = byStack.get(i);
        if (list) list.push(file);
        else byStack.set(i, [file]);
      }
    }
    const stacks = new Map<string, string[]>();
    for (const i of [...byStack.keys()].sort((a, b) => a - b)) stacks.set(this.names[i]!, byStack.get(i)!);
    return { stacks, unownedInfra: unowned };
  }
}
