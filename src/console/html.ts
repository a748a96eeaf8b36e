/**
 * HTML with every interpolated value escaped by `escape-html`: `html\`<p>${text}</p>\`` escapes
 * `text`; only values already built by `html` (a `Safe`) pass through unchanged.
 */
import escapeHtml from "escape-html";

export class Safe {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Value = Safe | string | number | boolean | undefined | null | readonly Value[];

function render(value: Value): string {
  if (value === undefined || value === null || value === false) return "";
  if (value instanceof Safe) return value.value;
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Safe {
  let out = strings[0] ?? "";
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? "");
  });
  return new Safe(out);
}

/** "3 h 12 min", "45 s": how long something has waited. */
export function waited(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

export function utc(iso: string | undefined): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : "";
}
