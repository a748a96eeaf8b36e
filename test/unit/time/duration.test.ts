import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatDuration, MAX_DURATION_MS, parseDuration } from "../../../src/lang/time/duration.js";

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe("parseDuration", () => {
  it.each([
    ["30s", 30 * S],
    ["30m", 30 * M],
    ["2h", 2 * H],
    ["1d", D],
    ["1h30m", H + 30 * M],
    ["1d2h3m4s", D + 2 * H + 3 * M + 4 * S],
    ["90m", 90 * M],
    ["366d", 366 * D],
    [" 2h ", 2 * H],
  ])("reads %j as %d ms", (text, ms) => {
    expect(parseDuration(text)).toEqual({ ok: true, value: ms });
  });

  it.each([
    ["", /empty/],
    ["   ", /empty/],
    ["0s", /zero/],
    ["0h0m", /zero/],
    ["-1h", /not a duration/],
    ["1.5h", /not a duration/],
    ["1w", /not a duration/],
    ["30M", /not a duration/],
    ["30m1h", /not a duration/],
    ["1h 30m", /not a duration/],
    ["h", /not a duration/],
    ["30", /not a duration/],
    ["367d", /366d/],
    ["8785h", /366d/],
    ["99999999999999999999d", /366d/],
  ])("rejects %j", (text, message) => {
    const parsed = parseDuration(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(message);
  });

  it("names the text it could not read", () => {
    const parsed = parseDuration("2 hours");
    expect(parsed).toEqual({ ok: false, error: expect.stringContaining('"2 hours"') });
  });

  it("never throws on any string", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const parsed = parseDuration(text);
        if (parsed.ok) expect(parsed.value).toBeGreaterThan(0);
        else expect(parsed.error.length).toBeGreaterThan(0);
      }),
    );
  });
});

describe("formatDuration", () => {
  it.each([
    [H + 30 * M, "1h30m"],
    [D, "1d"],
    [D + H + M + S, "1d1h1m1s"],
    [30 * S, "30s"],
    [1500, "1s"],
    [0, "0s"],
    [-5, "0s"],
    [Number.NaN, "0s"],
  ])("formats %d ms as %j", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  const canonical = fc
    .record({
      d: fc.integer({ min: 0, max: 365 }),
      h: fc.integer({ min: 0, max: 23 }),
      m: fc.integer({ min: 0, max: 59 }),
      s: fc.integer({ min: 0, max: 59 }),
    })
    .filter(({ d, h, m, s }) => d + h + m + s > 0)
    .map(({ d, h, m, s }) =>
      [d && `${d}d`, h && `${h}h`, m && `${m}m`, s && `${s}s`].filter(Boolean).join(""),
    );

  it("round-trips every canonical duration text", () => {
    fc.assert(
      fc.property(canonical, (text) => {
        const parsed = parseDuration(text);
        expect(parsed.ok).toBe(true);
        if (parsed.ok) expect(formatDuration(parsed.value)).toBe(text);
      }),
    );
  });

  it("formats every valid duration into text that parses back to the same length", () => {
    const loose = fc
      .tuple(fc.nat(400), fc.nat(100), fc.nat(200), fc.nat(200))
      .map(([d, h, m, s]) => `${d}d${h}h${m}m${s}s`);
    fc.assert(
      fc.property(loose, (text) => {
        const parsed = parseDuration(text);
        if (!parsed.ok) return;
        const again = parseDuration(formatDuration(parsed.value));
        expect(again).toEqual({ ok: true, value: parsed.value });
      }),
    );
  });

  it("round-trips whole-second lengths up to the limit", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_DURATION_MS / S }), (seconds) => {
        expect(parseDuration(formatDuration(seconds * S))).toEqual({ ok: true, value: seconds * S });
      }),
    );
  });
});
