import { parseArgs as parseNodeArgs } from "node:util";

/** Command-line options: `--name value`, `--name=value`, flags, and positional arguments. */
export interface ParsedArgs {
  values: Map<string, string>;
  flags: Set<string>;
  positional: string[];
}

/**
 * Node's own parser in strict mode: an unknown option is an error, and `--stack --json` is a
 * missing value for `--stack`, not a stack named "--json".
 */
export function parseArgs(
  args: readonly string[],
  valueOptions: readonly string[],
  flagOptions: readonly string[] = [],
): ParsedArgs | { error: string } {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {
    help: { type: "boolean", short: "h" },
  };
  for (const name of valueOptions) options[name.replace(/^--/, "")] = { type: "string" };
  for (const name of flagOptions) options[name.replace(/^--/, "")] = { type: "boolean" };
  try {
    const parsed = parseNodeArgs({ args: [...args], options, strict: true, allowPositionals: true });
    const out: ParsedArgs = { values: new Map(), flags: new Set(), positional: parsed.positionals };
    for (const [name, value] of Object.entries(parsed.values)) {
      if (typeof value === "string") {
        if (value === "") return { error: `--${name} needs a value` };
        out.values.set(`--${name}`, value);
      } else if (value === true) out.flags.add(`--${name}`);
    }
    return out;
  } catch (error) {
    return { error: describeArgError(error as Error & { code?: string }) };
  }
}

function describeArgError(error: Error & { code?: string }): string {
  const option = /'(-[-\w]+)/.exec(error.message)?.[1];
  if (error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `unknown option ${option ?? error.message}`;
  if (error.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") return `${option ?? "an option"} needs a value`;
  return error.message;
}
/** `--at ISO-TIME`, or now. */
export function parseAt(text: string | undefined): Date | { error: string } {
  if (text === undefined) return new Date();
  const at = new Date(text);
  return Number.isNaN(at.getTime())
    ? { error: `--at "${text}" is not a time such as 2027-02-01T09:00:00Z` }
    : at;
}
