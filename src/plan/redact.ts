/**
 * Masks for plan values. Terraform describes sensitivity and unknown-ness as "masks": values of
 * the same shape as the attribute value with `true` at the leaves that are sensitive (or unknown).
 * Everything shown to people goes through `redact` first, so no sensitive leaf reaches the text.
 */

/** A placeholder shown instead of a value; never confused with a string that happens to read the same. */
export class Placeholder {
  constructor(readonly label: string) {}
}
export const SENSITIVE = new Placeholder("(sensitive value)");
export const UNKNOWN = new Placeholder("(known after apply)");

function isContainer(x: unknown): x is Record<string, unknown> | unknown[] {
  return typeof x === "object" && x !== null;
}

/** Whether the mask marks anything at all. */
export function maskHasTrue(mask: unknown): boolean {
  if (mask === true) return true;
  if (!isContainer(mask)) return false;
  return Object.values(mask).some(maskHasTrue);
}

/** The part of a mask that describes `key` of the masked value. */
export function childMask(mask: unknown, key: string | number): unknown {
  if (mask === true) return true;
  if (!isContainer(mask)) return undefined;
  return (mask as Record<string, unknown>)[key];
}

/** A mask marking what either mask marks. */
export function unionMask(a: unknown, b: unknown): unknown {
  if (a === true || b === true) return true;
  if (!isContainer(a)) return b;
  if (!isContainer(b)) return a;
  if (Array.isArray(a) && Array.isArray(b)) {
    return Array.from({ length: Math.max(a.length, b.length) }, (_, i) => unionMask(a[i], b[i]));
  }
  const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
  for (const [k, v] of Object.entries(b)) out[k] = unionMask(out[k], v);
  return out;
}

/**
 * A copy of `value` with every leaf the mask marks replaced by `SENSITIVE`. Where the value and
 * the mask do not line up (a scalar under a mask with marks inside), the whole value is replaced:
 * when unsure, hide.
 */
export function redact(value: unknown, mask: unknown): unknown {
  if (mask === true) return SENSITIVE;
  if (!maskHasTrue(mask)) return value;
  if (Array.isArray(value)) return value.map((v, i) => redact(v, childMask(mask, i)));
  if (isContainer(value) && !(value instanceof Placeholder)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redact(v, childMask(mask, k));
    return out;
  }
  return SENSITIVE;
}

/** `value` with the leaves that `unknown` marks filled in as `UNKNOWN` (Terraform omits them from `after`). */
export function withUnknowns(value: unknown, unknown: unknown): unknown {
  if (unknown === true) return UNKNOWN;
  if (!maskHasTrue(unknown) || !isContainer(unknown)) return value;
  if (Array.isArray(unknown)) {
    const base = Array.isArray(value) ? value : [];
    return Array.from({ length: Math.max(base.length, unknown.length) }, (_, i) =>
      withUnknowns(base[i], unknown[i]),
    );
  }
  const base = isContainer(value) && !Array.isArray(value) ? value : {};
  const out: Record<string, unknown> = { ...base };
  for (const [k, u] of Object.entries(unknown)) {
    if (maskHasTrue(u)) out[k] = withUnknowns(base[k], u);
  }
  return out;
}
