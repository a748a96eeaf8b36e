/**
 * Checks a document against `schema/flowgate.schema.json` and turns ajv's errors into sentences a person can act on:
 * `unknown field "isManaul" in spec.flowControl (did you mean "isManual"?)`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { packageRoot } from "../paths.js";
import { displayPath } from "./diagnostics.js";
import { closestMatch, didYouMean } from "./suggest.js";
import type { NodePath } from "./types.js";

export interface SchemaIssue {
  /** where the problem is, as a path into the document */
  path: NodePath;
  /** point at the key of `path` rather than its value (unknown fields) */
  atKey: boolean;
  message: string;
}

let cachedSchema: Record<string, unknown> | undefined;
let cachedValidator: ValidateFunction | undefined;

/** The JSON Schema shipped with the package (the file editors point `yaml-language-server` at). */
export function flowgateSchema(): Record<string, unknown> {
  cachedSchema ??= JSON.parse(
    readFileSync(join(packageRoot(), "schema", "flowgate.schema.json"), "utf8"),
  ) as Record<string, unknown>;
  return cachedSchema;
}

function validator(): ValidateFunction {
  if (cachedValidator) return cachedValidator;
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false });
  // Annotations for editors (VS Code, yaml-language-server); also our messages for pattern errors.
  ajv.addKeyword({ keyword: "patternErrorMessage", schemaType: "string" });
  cachedValidator = ajv.compile(flowgateSchema());
  return cachedValidator;
}

/** Problems with the shape of one document; empty when it matches the schema. */
export function checkDocumentShape(document: unknown): SchemaIssue[] {
  const validate = validator();
  if (validate(document)) return [];
  return describeErrors(validate.errors ?? [], document);
}

function describeErrors(errors: readonly ErrorObject[], document: unknown): SchemaIssue[] {
  // An anyOf of `required` branches reads better as one sentence than as one error per branch.
  const anyOfPaths = errors.filter((e) => e.keyword === "anyOf").map((e) => `${e.schemaPath}/`);
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (error.keyword === "if") continue;
    if (anyOfPaths.some((p) => error.schemaPath.startsWith(p))) continue;
    const issue = describeError(error, document);
    const key = `${issue.path.join("\0")}\0${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}

/** Turns `/spec/dependsOn/1` into `["spec", "dependsOn", 1]`, numbering array indexes. */
function toNodePath(pointer: string, document: unknown): (string | number)[] {
  if (pointer === "") return [];
  const path: (string | number)[] = [];
  let value: unknown = document;
  for (const raw of pointer.slice(1).split("/")) {
    const segment = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(value)) {
      const index = Number(segment);
      path.push(index);
      value = value[index];
    } else {
      path.push(segment);
      value =
        typeof value === "object" && value !== null ? (value as Record<string, unknown>)[segment] : undefined;
    }
  }
  return path;
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (typeof value === "string")
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return String(value);
}

const TYPE_WORDS: Record<string, string> = {
  string: "a string",
  object: "a mapping (key: value)",
  array: "a list",
  boolean: "true or false",
  integer: "a whole number",
  number: "a number",
  null: "empty",
};

function where(path: NodePath): string {
  return path.length === 0 ? "" : ` in ${displayPath(path)}`;
}

/** Fields that exist, but not at this level: say where they belong. */
function misplacedHint(field: string, properties: Record<string, unknown>): string {
  if ("isManual" in properties && !("conditions" in properties)) {
    if (field === "breakGlass") return " (breakGlass can only be set directly under flowControl)";
    if (field === "conditions" || field === "schedule") return " (conditions and schedules cannot be nested)";
  }
  if ("generate" in properties && (field === "dir" || field === "environment")) {
    return field === "dir"
      ? " (a generated stack's dir is the directory it was generated for)"
      : " (write environment inside generate)";
  }
  return "";
}

function describeError(error: ErrorObject, document: unknown): SchemaIssue {
  const path = toNodePath(error.instancePath, document);
  const subject = displayPath(path);
  const params = error.params as Record<string, unknown>;
  const got = ` (got ${describeValue(error.data)})`;
  switch (error.keyword) {
    case "additionalProperties": {
      const field = String(params.additionalProperty);
      const properties = (error.parentSchema?.properties ?? {}) as Record<string, unknown>;
      const hint = misplacedHint(field, properties) || didYouMean(field, Object.keys(properties));
      return {
        path: [...path, field],
        atKey: true,
        message: `unknown field "${field}"${where(path)}${hint}`,
      };
    }
    case "required":
      return {
        path,
        atKey: false,
        message: `missing field "${String(params.missingProperty)}"${where(path)}`,
      };
    case "anyOf": {
      const branches = Array.isArray(error.schema) ? (error.schema as Record<string, unknown>[]) : [];
      const names = branches.flatMap((b) => (Array.isArray(b.required) ? (b.required as string[]) : []));
      const message =
        names.length === branches.length && names.length > 0
          ? `${subject} needs ${names.map((n) => `"${n}"`).join(" or ")}`
          : `${subject} ${error.message ?? "is not valid"}`;
      return { path, atKey: false, message };
    }
    case "type": {
      const types = String(params.type).split(",");
      const words = types.map((t) => TYPE_WORDS[t] ?? t).join(" or ");
      // YAML 1.1 read yes/no/on/off as booleans; YAML 1.2 (and flowgate) reads them as text.
      const yaml11 =
        types.includes("boolean") &&
        typeof error.data === "string" &&
        /^(y|n|yes|no|on|off)$/i.test(error.data)
          ? "; write true or false"
          : "";
      return {
        path,
        atKey: false,
        message: `${subject} must be ${words} (got ${describeValue(error.data)}${yaml11})`,
      };
    }
    case "enum": {
      const allowed = (params.allowedValues as unknown[]) ?? [];
      const match =
        typeof error.data === "string" ? closestMatch(error.data, allowed.map(String)) : undefined;
      const hint = match === undefined ? "" : `; did you mean "${match}"?`;
      const list = allowed.map((v) => JSON.stringify(v)).join(", ");
      return {
        path,
        atKey: false,
        message: `${subject} must be one of ${list} (got ${describeValue(error.data)}${hint})`,
      };
    }
    case "const":
      return {
        path,
        atKey: false,
        message: `${subject} must be ${JSON.stringify(params.allowedValue)}${got}`,
      };
    case "pattern": {
      const custom = error.parentSchema?.patternErrorMessage;
      const rule = typeof custom === "string" ? custom : `must match ${String(params.pattern)}`;
      return { path, atKey: false, message: `${subject} ${rule}${got}` };
    }
    case "minLength":
      return { path, atKey: false, message: `${subject} must not be empty` };
    case "maxLength":
      return {
        path,
        atKey: false,
        message: `${subject} must be at most ${String(params.limit)} characters long`,
      };
    case "minItems":
      return { path, atKey: false, message: `${subject} must not be empty` };
    case "minimum":
      return { path, atKey: false, message: `${subject} must be at least ${String(params.limit)}${got}` };
    case "uniqueItems": {
      const later = Math.max(Number(params.i), Number(params.j));
      const item = Array.isArray(error.data) ? error.data[later] : undefined;
      return {
        path: [...path, later],
        atKey: false,
        message: `${subject} lists ${describeValue(item)} twice`,
      };
    }
    default:
      return { path, atKey: false, message: `${subject} ${error.message ?? "is not valid"}` };
  }
}
