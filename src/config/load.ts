/**
 * Loading configuration from in-memory files (SPEC §2): YAML, then the schema, then the model with its defaults.
 * Pure: the GitHub loader and the folder loader both feed this. Bad input becomes diagnostics, never an exception.
 */
import { fileDiagnostic } from "./diagnostics.js";
import { readDocument } from "./documents.js";
import { checkDocumentShape } from "./schema.js";
import type { ConfigFile, ConfigSet, DocOrigin } from "./types.js";
import { DEFAULT_YAML_LIMITS, parseYamlFile, type YamlDocument } from "./yaml.js";

export interface LoadOptions {
  /** default 1 MiB */
  maxFileBytes?: number;
  /** per file, default 500 */
  maxDocuments?: number;
}

export function emptyConfigSet(): ConfigSet {
  return { stacks: [], generators: [], policies: [], gates: [], settings: [], diagnostics: [], files: [] };
}

/** Loads every document of every file, in order. */
export function loadConfigFiles(files: readonly ConfigFile[], opts: LoadOptions = {}): ConfigSet {
  const set = emptyConfigSet();
  for (const file of files) {
    set.files.push(file.path);
    try {
      loadFile(file, opts, set);
    } catch (error) {
      // A bug of ours must not take the app down with someone's configuration (SPEC §7): report it on the file.
      const reason = error instanceof Error ? error.message : String(error);
      set.diagnostics.push(fileDiagnostic(file.path, "error", `could not read this file: ${reason}`));
    }
  }
  return set;
}

function loadFile(file: ConfigFile, opts: LoadOptions, set: ConfigSet): void {
  if (typeof file.content !== "string") {
    set.diagnostics.push(fileDiagnostic(file.path, "error", "file has no text content"));
    return;
  }
  const parsed = parseYamlFile(file.path, file.content, {
    ...DEFAULT_YAML_LIMITS,
    maxFileBytes: opts.maxFileBytes ?? DEFAULT_YAML_LIMITS.maxFileBytes,
    maxDocuments: opts.maxDocuments ?? DEFAULT_YAML_LIMITS.maxDocuments,
  });
  set.diagnostics.push(...parsed.diagnostics);
  for (const document of parsed.documents) loadDocument(file, document, set);
}

function loadDocument(file: ConfigFile, document: YamlDocument, set: ConfigSet): void {
  // Unreadable (already reported) or empty (a trailing `---`, a file of comments): nothing to load.
  if (document.value === undefined || document.value === null) return;
  const origin: DocOrigin = { file: file.path, level: file.level, index: document.index, pos: document.pos };
  const issues = checkDocumentShape(document.value);
  if (issues.length > 0) {
    for (const issue of issues) {
      const at = issue.atKey ? document.keyPos(issue.path) : document.pos(issue.path);
      set.diagnostics.push({
        severity: "error",
        file: file.path,
        line: at.line,
        col: at.col,
        message: issue.message,
      });
    }
    return;
  }
  const result = readDocument(document.value, origin);
  set.diagnostics.push(...result.diagnostics);
  const item = result.item;
  if (!item) return;
  switch (item.kind) {
    case "stack":
      set.stacks.push(item.stack);
      break;
    case "generator":
      set.generators.push(item.generator);
      break;
    case "policy":
      set.policies.push(item.policy);
      break;
    case "gate":
      set.gates.push(item.gate);
      break;
    case "settings":
      set.settings.push(item.settings);
      break;
  }
}

/** One set holding everything of the given sets, in order. */
export function mergeConfigSets(...sets: ConfigSet[]): ConfigSet {
  const out = emptyConfigSet();
  for (const set of sets) {
    out.stacks.push(...set.stacks);
    out.generators.push(...set.generators);
    out.policies.push(...set.policies);
    out.gates.push(...set.gates);
    out.settings.push(...set.settings);
    out.diagnostics.push(...set.diagnostics);
    out.files.push(...set.files);
  }
  return out;
}
