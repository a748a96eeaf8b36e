/** The places inside a policy that set flow fields: `flowControl` itself, each condition's `then`, each schedule entry's `policy`. */
import type { FlowFields, NodePath, Policy } from "./types.js";

export interface FieldSet {
  fields: FlowFields;
  /** path of the mapping holding `fields` */
  path: NodePath;
  /** for conditions: the index of the condition (its `if` decides when `fields` apply) */
  condition?: number;
}

export function fieldSetsOf(policy: Policy): FieldSet[] {
  const base: NodePath = ["spec", "flowControl"];
  const sets: FieldSet[] = [{ fields: policy.flowControl, path: base }];
  policy.flowControl.conditions?.forEach((c, i) => {
    sets.push({ fields: c.then, path: [...base, "conditions", i, "then"], condition: i });
  });
  policy.flowControl.schedule?.forEach((s, i) => {
    sets.push({ fields: s.policy, path: [...base, "schedule", i, "policy"] });
  });
  return sets;
}

/** The fields set (present) in one mapping. */
export function fieldsSet(fields: FlowFields): (keyof FlowFields)[] {
  return (Object.keys(fields) as (keyof FlowFields)[]).filter(
    (k) => fields[k] !== undefined && k !== ("conditions" as string) && k !== ("schedule" as string),
  );
}
