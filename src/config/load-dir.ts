/** Loading a folder of configuration from disk (`flowgate validate`, the platform's `policies/`). */
import { lstat, readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { fileDiagnostic } from "./diagnostics.js";
import { emptyConfigSet, type LoadOptions, loadConfigFiles } from "./load.js";
import type { ConfigFile, ConfigSet, Diagnostic, Level } from "./types.js";
import { DEFAULT_YAML_LIMITS, tooLargeMessage } from "./yaml.js";

const YAML_FILE = /\.ya?ml$/i;
// Never configuration, and possibly huge: a folder given by mistake (a repository root) stays cheap to read.
const SKIPPED_DIRS = new Set([".git", "node_modules"]);

function toPosix(path: string): string {
  return sep === "/" ? path : path.split(sep).join("/");
}

/** Every `*.yml` / `*.yaml` file under `dir`, recursively (not in `.git`, `node_modules`), sorted; links are not followed. */
export async function listYamlFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.pop()!;
    const entries = await readdir(current, { withFileTypes: true });
    for (const entry of entries) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) pending.push(path);
      } else if (entry.isFile() && YAML_FILE.test(entry.name)) found.push(path);
    }
  }
  return found.sort((a, b) => (toPosix(a) < toPosix(b) ? -1 : toPosix(a) > toPosix(b) ? 1 : 0));
}

/** Loads every YAML file under `dir`; file names are shown relative to `displayRoot` (default: the working folder). */
export async function loadConfigDir(
  dir: string,
  level: Level,
  opts: LoadOptions & { displayRoot?: string } = {},
): Promise<ConfigSet> {
  const displayRoot = opts.displayRoot ?? process.cwd();
  const show = (path: string) => toPosix(relative(displayRoot, path)) || ".";
  const maxFileBytes = opts.maxFileBytes ?? DEFAULT_YAML_LIMITS.maxFileBytes;
  let paths: string[];
  try {
    paths = await listYamlFiles(dir);
  } catch (error) {
    const set = emptyConfigSet();
    set.diagnostics.push(fileDiagnostic(show(dir), "error", `cannot read folder: ${reasonOf(error)}`));
    return set;
  }
  const files: ConfigFile[] = [];
  const problems: Diagnostic[] = [];
  for (const path of paths) {
    const content = await readText(path, maxFileBytes);
    if (typeof content === "string") files.push({ path: show(path), content, level });
    else problems.push(fileDiagnostic(show(path), "error", content.error));
  }
  const loaded = loadConfigFiles(files, opts);
  loaded.files = paths.map(show);
  loaded.diagnostics.push(...problems);
  return loaded;
}

/** The file as text, or why it cannot be read: too large (checked before reading), not UTF-8. */
async function readText(path: string, maxFileBytes: number): Promise<string | { error: string }> {
  try {
    const info = await lstat(path);
    if (info.size > maxFileBytes) {
      return { error: tooLargeMessage(info.size, maxFileBytes) };
    }
    const bytes = await readFile(path);
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (error) {
    if (error instanceof TypeError) return { error: "file is not valid UTF-8 text; not read" };
    return { error: `cannot read file: ${reasonOf(error)}` };
  }
}

function reasonOf(error: unknown): string {
  if (error && typeof error === "object" && "code" in error && typeof error.code === "string")
    return error.code;
  return error instanceof Error ? error.message : String(error);
}
