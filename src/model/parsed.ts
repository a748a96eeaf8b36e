/** The result of reading untrusted input: a value, or an error that says what was wrong. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };
