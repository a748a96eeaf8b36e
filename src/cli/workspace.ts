/**
 * The configuration a CLI command works on: a repository's `.github/flowgate` folder with the
 * platform's policies and, optionally, the organization's, generators expanded over the checkout.
 */
import { statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { sortDiagnostics } from "../config/diagnostics.js";
import { expandGenerators } from "../config/generate.js";
import { mergeConfigSets } from "../config/load.js";
import { loadConfigDir } from "../config/load-dir.js";
import { listRepoFiles } from "../config/repo-files.js";
import type { ConfigSet, Diagnostic, Stack } from "../config/types.js";
import { packageRoot } from "../paths.js";
import { validateConfig } from "../validation/validate.js";

export interface FolderArgs {
  dir?: string;
  orgDir?: string;
  platformDir?: string;
  repoRoot?: string;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A repository folder holding `.github/flowgate` means that folder. */
function configFolder(path: string): string {
  const nested = join(path, ".github", "flowgate");
  return isDirectory(nested) ? nested : path;
}

function endsWithGithubFlowgate(path: string): boolean {
  return basename(path) === "flowgate" && basename(dirname(path)) === ".github";
}

export interface Folders {
  config: string;
  repoRoot: string;
  platform?: string;
  organization?: string;
}

export function resolveFolders(args: FolderArgs, cwd: string): Folders | { error: string } {
  if (args.dir === undefined && !isDirectory(join(cwd, ".github", "flowgate")))
    return {
      error: `no .github/flowgate folder in ${cwd}: run this in a repository that has one, or name the folder (flowgate validate path/to/folder)`,
    };
  const config = args.dir === undefined ? configFolder(cwd) : configFolder(resolve(cwd, args.dir));
  if (!isDirectory(config)) return { error: `no such folder: ${args.dir ?? config}` };
  const folders: Folders = {
    config,
    repoRoot: args.repoRoot
      ? resolve(cwd, args.repoRoot)
      : endsWithGithubFlowgate(config)
        ? dirname(dirname(config))
        : config,
  };
  if (!isDirectory(folders.repoRoot)) return { error: `no such folder: ${args.repoRoot}` };
  if (args.platformDir !== undefined) {
    folders.platform = resolve(cwd, args.platformDir);
    if (!isDirectory(folders.platform)) return { error: `no such folder: ${args.platformDir}` };
  } else {
    const shipped = join(packageRoot(), "policies", "platform");
    if (isDirectory(shipped)) folders.platform = shipped;
  }
  if (args.orgDir !== undefined) {
    folders.organization = configFolder(resolve(cwd, args.orgDir));
    if (!isDirectory(folders.organization)) return { error: `no such folder: ${args.orgDir}` };
  }
  return folders;
}

export interface Workspace {
  platform?: ConfigSet;
  organization?: ConfigSet;
  repository: ConfigSet;
  all: ConfigSet;
  /** explicit and generated stacks */
  stacks: Stack[];
  diagnostics: Diagnostic[];
  files: string[];
}

export async function loadWorkspace(
  folders: Folders,
  cwd: string,
  org: string | undefined,
  now: Date,
): Promise<Workspace> {
  const load = { displayRoot: cwd };
  const platform = folders.platform ? await loadConfigDir(folders.platform, "platform", load) : undefined;
  const organization = folders.organization
    ? await loadConfigDir(folders.organization, "organization", load)
    : undefined;
  const repository = await loadConfigDir(folders.config, "repository", load);
  const generated: { stacks: Stack[]; diagnostics: Diagnostic[] } = { stacks: [], diagnostics: [] };
  if (repository.generators.length > 0) {
    const expanded = expandGenerators(repository.generators, await listRepoFiles(folders.repoRoot));
    generated.stacks = expanded.stacks;
    generated.diagnostics = expanded.diagnostics;
  }
  const sets = [platform, organization, repository].filter((s): s is ConfigSet => s !== undefined);
  const stacks = [...repository.stacks, ...generated.stacks];
  const diagnostics = sortDiagnostics([
    ...sets.flatMap((s) => s.diagnostics),
    ...generated.diagnostics,
    ...validateConfig({
      ...(platform ? { platform } : {}),
      ...(organization ? { organization } : {}),
      repository,
      stacks,
      ...(org === undefined ? {} : { org }),
      now,
    }),
  ]);
  return {
    ...(platform ? { platform } : {}),
    ...(organization ? { organization } : {}),
    repository,
    all: mergeConfigSets(...sets),
    stacks,
    diagnostics,
    files: [...new Set(sets.flatMap((s) => s.files))],
  };
}
