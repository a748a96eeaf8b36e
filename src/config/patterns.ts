/**
 * The characters a name, directory or workflow may hold (SPEC §2.1). They reach workflow inputs, comments and logs,
 * so nothing else gets through. `schema/flowgate.schema.json` repeats these; a test keeps the two equal.
 */

export const MAX_NAME_LENGTH = 100;

export const NAME_PATTERN = "^[A-Za-z0-9._-]+$";
export const GATE_REF_PATTERN = "^(org:)?[A-Za-z0-9._-]+$";
export const DIR_PATTERN = "^(?!/)(?!.*(?:^|/)\\.\\.(?:/|$))[A-Za-z0-9._/-]+$";
export const WORKFLOW_PATTERN = "^[A-Za-z0-9._-]+\\.ya?ml$";
export const RESOURCE_KIND_PATTERN = "^[A-Za-z0-9_-]+$";
export const DURATION_PATTERN = "^([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?$";

const NAME = new RegExp(NAME_PATTERN, "u");
const GATE_REF = new RegExp(GATE_REF_PATTERN, "u");
const DIR = new RegExp(DIR_PATTERN, "u");
const WORKFLOW = new RegExp(WORKFLOW_PATTERN, "u");
const RESOURCE_KIND = new RegExp(RESOURCE_KIND_PATTERN, "u");

/** undefined when `value` is a valid stack or environment name, else why not */
export function checkName(value: string): string | undefined {
  if (value === "") return "must not be empty";
  if (value.length > MAX_NAME_LENGTH) return `must be at most ${MAX_NAME_LENGTH} characters long`;
  if (!NAME.test(value)) return "may contain only letters, digits, '.', '_' and '-'";
  return undefined;
}

export function checkGateRef(value: string): string | undefined {
  if (value.length > MAX_NAME_LENGTH + 4) return `must be at most ${MAX_NAME_LENGTH} characters long`;
  if (!GATE_REF.test(value))
    return "may contain only letters, digits, '.', '_' and '-', after an optional \"org:\"";
  return undefined;
}

export function checkDir(value: string): string | undefined {
  if (!DIR.test(value)) {
    return "must be a path relative to the repository root made of letters, digits, '.', '_', '-' and '/', with no '..'";
  }
  return undefined;
}

export function checkWorkflow(value: string): string | undefined {
  if (!WORKFLOW.test(value)) return "must be a file name under .github/workflows ending in .yml or .yaml";
  return undefined;
}

export function checkResourceKind(value: string): string | undefined {
  if (!RESOURCE_KIND.test(value)) return "may contain only letters, digits, '_' and '-'";
  return undefined;
}
