/** The files of a repository checkout, for stack generators run locally (`flowgate validate`). */
import { readdir } from "node:fs/promises";
import { join } from "node:path";

const SKIPPED = new Set([".git", "node_modules"]);

/** Every file under `root` as a POSIX path relative to it, skipping `.git` and `node_modules`; links are not followed. */
export async function listRepoFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  const pending: string[] = [""];
  while (pending.length > 0) {
    const relative = pending.pop()!;
    const entries = await readdir(join(root, relative), { withFileTypes: true });
    for (const entry of entries) {
      const path = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!SKIPPED.has(entry.name)) pending.push(path);
      } else found.push(path);
    }
  }
  return found.sort();
}
