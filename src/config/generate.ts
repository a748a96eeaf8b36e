/**
 * Stack generators (SPEC §2.1): one stack per directory of the repository matching `generate.dirs` (and holding a
 * file matching `containing`). Directories are indexed once, so 100,000 paths cost one pass, whatever the number of
 * generators. A generated value that breaks the allowed characters is a diagnostic, never a stack.
 */
import { Minimatch } from "minimatch";
import { diagnosticAt } from "./diagnostics.js";
import { compileDirGlob } from "./dir-glob.js";
import { DEFAULT_WORKFLOW, generatorName } from "./documents.js";
import { checkDir, checkGateRef, checkName, checkResourceKind, checkWorkflow } from "./patterns.js";
import type { Diagnostic, NodePath, Stack, StackGenerator } from "./types.js";

/** Every directory that holds a file, directly or below, with the names of the files directly inside it. */
export interface DirectoryIndex {
  /** sorted */
  dirs: string[];
  files: Map<string, string[]>;
}

export function indexDirectories(repoFiles: Iterable<string>): DirectoryIndex {
  const files = new Map<string, string[]>();
  for (const raw of repoFiles) {
    const path = raw.replace(/^\.\/+/, "").replace(/^\/+/, "");
    const slash = path.lastIndexOf("/");
    if (slash <= 0) continue; // files at the root belong to no directory a generator can match
    let dir = path.slice(0, slash);
    const existing = files.get(dir);
    if (existing) {
      existing.push(path.slice(slash + 1));
      continue;
    }
    files.set(dir, [path.slice(slash + 1)]);
    // Add the ancestors until one is known (then all of its ancestors are too).
    for (let cut = dir.lastIndexOf("/"); cut > 0; cut = dir.lastIndexOf("/")) {
      dir = dir.slice(0, cut);
      if (files.has(dir)) break;
      files.set(dir, []);
    }
  }
  return { dirs: [...files.keys()].sort(), files };
}

const PLACEHOLDER = /\{([^{}]*)\}/g;

interface TemplateField {
  path: NodePath;
  template: string;
}

function templateFields(g: StackGenerator): TemplateField[] {
  const fields: TemplateField[] = [
    { path: ["spec", "generate", "name"], template: g.name },
    { path: ["spec", "generate", "environment"], template: g.environment },
    { path: ["spec", "kind"], template: g.kind },
  ];
  if (g.workflow !== undefined) fields.push({ path: ["spec", "workflow"], template: g.workflow });
  for (const list of ["paths", "dependsOn", "gates"] as const) {
    for (const [i, template] of (g[list] ?? []).entries()) fields.push({ path: ["spec", list, i], template });
  }
  return fields;
}

/** Placeholders a template may not use: `{x}`, `{0}`, or `{3}` when `dirs` has two wildcards. */
function checkPlaceholders(g: StackGenerator, wildcards: number): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const field of templateFields(g)) {
    // In paths, `{a,b}` is glob syntax, not a placeholder.
    for (const match of field.template.matchAll(PLACEHOLDER)) {
      const inner = match[1] ?? "";
      if (field.path[1] === "paths" && inner.includes(",")) continue;
      const n = Number(inner);
      const ok = inner === "dir" || (/^[0-9]+$/.test(inner) && n >= 1 && n <= wildcards);
      if (ok) continue;
      const range =
        wildcards === 0 ? "{dir}" : wildcards === 1 ? "{dir} or {1}" : `{dir} or {1} to {${wildcards}}`;
      const message =
        `unknown placeholder "{${inner}}": use ${range} ` +
        `(dirs "${g.dirs}" has ${wildcards} wildcard${wildcards === 1 ? "" : "s"})`;
      found.push(diagnosticAt(g.origin, field.path, "error", message));
    }
  }
  return found;
}

function render(template: string, dir: string, parts: readonly string[]): string {
  return template.replace(PLACEHOLDER, (whole, inner: string) => {
    if (inner === "dir") return dir;
    if (/^[0-9]+$/.test(inner)) return parts[Number(inner) - 1] ?? whole;
    return whole;
  });
}

/** The first bad value per field, and how many more directories gave a bad value there. */
class FieldProblems {
  private readonly byField = new Map<string, { path: NodePath; message: string; more: number }>();

  add(path: NodePath, message: string): void {
    const key = path.join("\0");
    const known = this.byField.get(key);
    if (known) known.more++;
    else this.byField.set(key, { path, message, more: 0 });
  }

  diagnostics(g: StackGenerator): Diagnostic[] {
    return [...this.byField.values()].map((p) => {
      const more = p.more === 0 ? "" : ` (and ${p.more} more director${p.more === 1 ? "y" : "ies"})`;
      return diagnosticAt(g.origin, p.path, "error", p.message + more);
    });
  }
}

function generateOne(
  g: StackGenerator,
  dir: string,
  parts: readonly string[],
  problems: FieldProblems,
): Stack | undefined {
  const value = (template: string) => render(template, dir, parts);
  let ok = true;
  const check = (path: NodePath, what: string, text: string, problem: string | undefined) => {
    if (problem === undefined) return;
    ok = false;
    problems.add(path, `generated ${what} "${text}" (for directory "${dir}") ${problem}`);
  };
  const name = value(g.name);
  check(["spec", "generate", "name"], "stack name", name, checkName(name));
  const environment = value(g.environment);
  check(["spec", "generate", "environment"], "environment", environment, checkName(environment));
  const kind = value(g.kind);
  check(["spec", "kind"], "kind", kind, checkResourceKind(kind));
  check(["spec", "generate", "dirs"], "dir", dir, checkDir(dir));
  const workflow = value(g.workflow ?? DEFAULT_WORKFLOW);
  check(["spec", "workflow"], "workflow", workflow, checkWorkflow(workflow));
  const dependsOn = (g.dependsOn ?? []).map((t, i) => {
    const v = value(t);
    check(["spec", "dependsOn", i], "dependsOn entry", v, checkName(v));
    return v;
  });
  const gates = (g.gates ?? []).map((t, i) => {
    const v = value(t);
    check(["spec", "gates", i], "gate", v, checkGateRef(v));
    return v;
  });
  if (!ok) return undefined;
  const paths = (g.paths ?? ["{dir}/**"]).map(value);
  return {
    name,
    kind,
    environment,
    dir,
    paths,
    dependsOn,
    workflow,
    gates,
    origin: g.origin,
    generatedFrom: generatorName(g),
  };
}

/** Expands every generator over the repository's files (all paths: default branch and PR head). */
export function expandGenerators(
  generators: readonly StackGenerator[],
  repoFiles: Iterable<string>,
): { stacks: Stack[]; diagnostics: Diagnostic[] } {
  const stacks: Stack[] = [];
  const diagnostics: Diagnostic[] = [];
  if (generators.length === 0) return { stacks, diagnostics };
  const index = indexDirectories(repoFiles);
  for (const g of generators) {
    const glob = compileDirGlob(g.dirs);
    if (!glob.ok) {
      diagnostics.push(diagnosticAt(g.origin, ["spec", "generate", "dirs"], "error", glob.error));
      continue;
    }
    const placeholderProblems = checkPlaceholders(g, glob.value.wildcards);
    if (placeholderProblems.length > 0) {
      diagnostics.push(...placeholderProblems);
      continue;
    }
    const containing = g.containing === undefined ? undefined : new Minimatch(g.containing, { dot: true });
    const problems = new FieldProblems();
    let matched = 0;
    for (const dir of index.dirs) {
      const parts = glob.value.match(dir);
      if (!parts) continue;
      if (containing && !(index.files.get(dir) ?? []).some((f) => containing.match(f))) continue;
      matched++;
      const stack = generateOne(g, dir, parts, problems);
      if (stack) stacks.push(stack);
    }
    diagnostics.push(...problems.diagnostics(g));
    if (matched === 0) {
      const holding = g.containing === undefined ? "" : ` holding a file matching "${g.containing}"`;
      const message = `generate matches no directory: none matches "${g.dirs}"${holding}`;
      diagnostics.push(diagnosticAt(g.origin, ["spec", "generate", "dirs"], "warning", message));
    }
  }
  return { stacks, diagnostics };
}
