import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cachedRoot: string | undefined;

/** The package root (the folder holding package.json), whether running from src/ or dist/src/. */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error("flowgate: cannot find the package root (no package.json above this module)");
    dir = parent;
  }
  cachedRoot = dir;
  return dir;
}
