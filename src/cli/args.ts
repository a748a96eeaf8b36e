/** Command-line options: `--name value`, `--name=value`, flags, and positional arguments. */
export interface ParsedArgs {
  values: Map<string, string>;
  flags: Set<string>;
  positional: string[];
}

export function parseArgs(
  args: readonly string[],
  valueOptions: readonly string[],
  flagOptions: readonly string[] = [],
): ParsedArgs | { error: string } {
  const out: ParsedArgs = { values: new Map(), flags: new Set(), positional: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "-h") out.flags.add("--help");
    else if (arg === "--help" || flagOptions.includes(arg)) out.flags.add(arg);
    else if (arg.startsWith("-")) {
      const eq = arg.indexOf("=");
      const name = eq === -1 ? arg : arg.slice(0, eq);
      if (!valueOptions.includes(name)) return { error: `unknown option ${name}` };
      const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
      if (value === undefined || value === "") return { error: `${name} needs a value` };
      out.values.set(name, value);
    } else out.positional.push(arg);
  }
  return out;
}

/** `--at ISO-TIME`, or now. */
export function parseAt(text: string | undefined): Date | { error: string } {
  if (text === undefined) return new Date();
  const at = new Date(text);
  return Number.isNaN(at.getTime())
    ? { error: `--at "${text}" is not a time such as 2027-02-01T09:00:00Z` }
    : at;
}
