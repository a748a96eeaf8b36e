/**
 * Gate checks: one gate per name and source, and every gate a stack or policy names exists. Repository gates are
 * known from the repository; `org:` gates from the organization, when it was given (SPEC §3.2).
 */
import { describeLocation, diagnosticAt } from "../config/diagnostics.js";
import { fieldSetsOf } from "../config/flow-fields.js";
import { didYouMean } from "../config/suggest.js";
import type { ConfigSet, Diagnostic, DocOrigin, Gate, Level, NodePath, Stack } from "../config/types.js";

export function checkDuplicateGates(gates: readonly Gate[]): Diagnostic[] {
  const first = new Map<string, Gate>();
  const found: Diagnostic[] = [];
  for (const gate of gates) {
    const earlier = first.get(gate.name);
    if (!earlier) {
      first.set(gate.name, gate);
      continue;
    }
    const message = `duplicate gate "${gate.name}": also defined at ${describeLocation(earlier.origin, ["metadata", "name"])}`;
    found.push(diagnosticAt(gate.origin, ["metadata", "name"], "error", message));
  }
  return found;
}

interface GateReference {
  name: string;
  origin: DocOrigin;
  path: NodePath;
  /** who wrote it: repository references must name repository gates */
  level: Level;
}

function references(stacks: readonly Stack[], sets: readonly (ConfigSet | undefined)[]): GateReference[] {
  const refs: GateReference[] = [];
  for (const stack of stacks) {
    stack.gates.forEach((name, i) => {
      refs.push({ name, origin: stack.origin, path: ["spec", "gates", i], level: stack.origin.level });
    });
  }
  for (const set of sets) {
    for (const policy of set?.policies ?? []) {
      for (const { fields, path } of fieldSetsOf(policy)) {
        fields.gates?.forEach((name, i) => {
          refs.push({ name, origin: policy.origin, path: [...path, "gates", i], level: policy.origin.level });
        });
      }
    }
  }
  return refs;
}

export function checkGateReferences(input: {
  platform?: ConfigSet;
  organization?: ConfigSet;
  repository: ConfigSet;
  stacks: readonly Stack[];
}): Diagnostic[] {
  const repositoryGates = new Set(input.repository.gates.map((g) => g.name));
  const organizationGates = input.organization
    ? new Set(input.organization.gates.map((g) => g.name))
    : undefined;
  const found: Diagnostic[] = [];
  for (const ref of references(input.stacks, [input.platform, input.organization, input.repository])) {
    let known: ReadonlySet<string>;
    if (ref.name.startsWith("org:")) {
      // Without the organization's files there is nothing to check against.
      if (!organizationGates) continue;
      known = organizationGates;
    } else {
      // Platform and organization policies name gates each repository defines for itself.
      if (ref.level !== "repository") continue;
      known = repositoryGates;
    }
    if (known.has(ref.name)) continue;
    const where = ref.name.startsWith("org:") ? "the organization's .github repository" : "this repository";
    const message = `unknown gate "${ref.name}": no Gate of that name in ${where}${didYouMean(ref.name, known)}`;
    found.push(diagnosticAt(ref.origin, ref.path, "error", message));
  }
  return found;
}
