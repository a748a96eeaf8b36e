import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ScheduleWindow } from "../../../src/config/types.js";
import {
  type CompiledWindow,
  compileWindow,
  firstMatchingEntry,
  isValidTimezone,
  nextScheduleChange,
  parseDays,
  parseHours,
  windowMatches,
} from "../../../src/lang/time/schedule.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function compiled(w: ScheduleWindow): CompiledWindow {
  const c = compileWindow(w);
  if (!c.ok) throw new Error(c.error);
  return c.value;
}

function matches(w: ScheduleWindow, iso: string): boolean {
  return windowMatches(compiled(w), new Date(iso));
}

function indexAt(entries: readonly ScheduleWindow[], t: number): number {
  return firstMatchingEntry(entries, new Date(t))?.index ?? -1;
}

/** The successive change instants after `from`, as ISO strings. */
function changes(entries: readonly ScheduleWindow[], from: string, count: number): string[] {
  const out: string[] = [];
  let at = new Date(from);
  for (let i = 0; i < count; i++) {
    const next = nextScheduleChange(entries, at);
    if (!next) break;
    out.push(next.toISOString());
    at = next;
  }
  return out;
}

describe("parseDays", () => {
  it.each([
    ["mon-fri", [1, 2, 3, 4, 5]],
    ["sat,sun", [0, 6]],
    ["sat-sun", [0, 6]],
    ["fri-mon", [0, 1, 5, 6]],
    ["mon", [1]],
    ["MON-Wed", [1, 2, 3]],
    [" sat , sun ", [0, 6]],
    ["mon-mon", [1]],
    ["sun-sat", [0, 1, 2, 3, 4, 5, 6]],
    ["mon,wed-thu", [1, 3, 4]],
  ])("reads %j", (text, days) => {
    const parsed = parseDays(text);
    expect(parsed.ok && [...parsed.value].sort()).toEqual(days);
  });

  it.each([
    ["", /empty/],
    ["mon,", /empty item/],
    [",mon", /empty item/],
    ["funday", /unknown day "funday"/],
    ["monday", /unknown day "monday"/],
    ["mon-xyz", /unknown day "xyz"/],
    ["mon-tue-wed", /unknown day/],
    ["1-5", /unknown day "1"/],
  ])("rejects %j", (text, message) => {
    const parsed = parseDays(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(message);
  });

  it("never throws", () => {
    fc.assert(fc.property(fc.string(), (text) => void parseDays(text)));
  });
});

describe("parseHours", () => {
  it.each([
    ["9-17", [[9, 17]]],
    [
      "0-9,17-24",
      [
        [0, 9],
        [17, 24],
      ],
    ],
    ["9", [[9, 10]]],
    ["23", [[23, 24]]],
    ["09-17", [[9, 17]]],
    ["0-24", [[0, 24]]],
  ])("reads %j", (text, ranges) => {
    expect(parseHours(text)).toEqual({ ok: true, value: ranges });
  });

  it.each([
    ["", /empty/],
    ["9,", /empty item/],
    ["17-9", /reversed.*"17-24,0-9"/],
    ["9-9", /empty range/],
    ["24", /starts after 23/],
    ["25-26", /starts after 23/],
    ["9-25", /ends after 24/],
    ["a-b", /not an hour/],
    ["-1-3", /not an hour/],
    ["9.5-17", /not an hour/],
  ])("rejects %j", (text, message) => {
    const parsed = parseHours(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(message);
  });

  it("never throws, and every range it returns is within 0-24 and not empty", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[0-9,\- ]{0,12}$/)), (text) => {
        const parsed = parseHours(text);
        if (!parsed.ok) return;
        for (const [from, to] of parsed.value) {
          expect(from).toBeGreaterThanOrEqual(0);
          expect(to).toBeLessThanOrEqual(24);
          expect(from).toBeLessThan(to);
        }
      }),
    );
  });
});

describe("isValidTimezone", () => {
  it.each(["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "Etc/GMT+5"])(
    "accepts %s",
    (tz) => expect(isValidTimezone(tz)).toBe(true),
  );
  it.each(["", "Mars/Base", "+05:00", "Europe/Berlin ", "Europe/Nowhere"])("rejects %j", (tz) =>
    expect(isValidTimezone(tz)).toBe(false),
  );
});

describe("compileWindow", () => {
  it("defaults the time zone to UTC", () => {
    expect(compiled({ days: "mon" }).timezone).toBe("UTC");
  });

  it.each([
    [{ days: "funday" }, /days "funday"/],
    [{ hours: "17-9" }, /hours "17-9"/],
    [{ timezone: "Mars/Base" }, /timezone "Mars\/Base"/],
    [{ days: "mon", hours: "9-17", timezone: "Europe/Berln" }, /timezone "Europe\/Berln"/],
  ])("names the bad part of %j", (w, message) => {
    const c = compileWindow(w);
    expect(c.ok).toBe(false);
    if (!c.ok) expect(c.error).toMatch(message);
  });

  it("treats hours covering the whole day as no hours", () => {
    expect(compiled({ hours: "0-24" }).hours).toBeUndefined();
    expect(compiled({ hours: "0-12,12-24" }).hours).toBeUndefined();
    expect(compiled({ hours: "0-23" }).hours).toEqual([[0, 23]]);
  });
});

describe("windowMatches", () => {
  const business = { days: "mon-fri", hours: "9-17", timezone: "America/New_York" };

  it("uses half-open local hours", () => {
    // Monday 2026-11-23, New York is UTC-5.
    expect(matches(business, "2026-11-23T13:59:59.999Z")).toBe(false);
    expect(matches(business, "2026-11-23T14:00:00.000Z")).toBe(true);
    expect(matches(business, "2026-11-23T21:59:59.999Z")).toBe(true);
    expect(matches(business, "2026-11-23T22:00:00.000Z")).toBe(false);
    // Saturday
    expect(matches(business, "2026-11-28T15:00:00Z")).toBe(false);
  });

  it("uses the local day: Friday in Berlin starts on Thursday 23:00 UTC in winter", () => {
    const friday = { days: "fri", timezone: "Europe/Berlin" };
    expect(matches(friday, "2026-11-26T22:59:59.999Z")).toBe(false);
    expect(matches(friday, "2026-11-26T23:00:00.000Z")).toBe(true);
    expect(matches(friday, "2026-11-27T22:59:59.999Z")).toBe(true);
    expect(matches(friday, "2026-11-27T23:00:00.000Z")).toBe(false);
    // Summer: UTC+2
    expect(matches(friday, "2026-07-02T22:00:00.000Z")).toBe(true);
    expect(matches(friday, "2026-07-02T21:59:59.999Z")).toBe(false);
  });

  it("wraps day ranges around the week", () => {
    const w = { days: "fri-mon" };
    expect(matches(w, "2026-11-28T12:00:00Z")).toBe(true); // Saturday
    expect(matches(w, "2026-11-29T12:00:00Z")).toBe(true); // Sunday
    expect(matches(w, "2026-11-30T12:00:00Z")).toBe(true); // Monday
    expect(matches(w, "2026-11-24T12:00:00Z")).toBe(false); // Tuesday
    expect(matches(w, "2026-11-26T12:00:00Z")).toBe(false); // Thursday
  });

  it("handles split hours across midnight (0-9,17-24)", () => {
    const w = { hours: "0-9,17-24", timezone: "Europe/Berlin" };
    expect(matches(w, "2026-11-23T07:59:59Z")).toBe(true); // 08:59 local
    expect(matches(w, "2026-11-23T08:00:00Z")).toBe(false); // 09:00
    expect(matches(w, "2026-11-23T15:59:59Z")).toBe(false); // 16:59
    expect(matches(w, "2026-11-23T16:00:00Z")).toBe(true); // 17:00
    expect(matches(w, "2026-11-23T23:30:00Z")).toBe(true); // 00:30 next day
  });

  it("follows zones with :30 and :45 offsets", () => {
    expect(matches({ hours: "9-17", timezone: "Asia/Kolkata" }, "2026-11-23T03:29:59.999Z")).toBe(false);
    expect(matches({ hours: "9-17", timezone: "Asia/Kolkata" }, "2026-11-23T03:30:00Z")).toBe(true);
    expect(matches({ hours: "9-17", timezone: "Asia/Kathmandu" }, "2026-11-23T03:14:59.999Z")).toBe(false);
    expect(matches({ hours: "9-17", timezone: "Asia/Kathmandu" }, "2026-11-23T03:15:00Z")).toBe(true);
  });

  it("never matches an hour skipped by spring forward (New York, 2026-03-08)", () => {
    const w = { hours: "2-3", timezone: "America/New_York" };
    for (let t = Date.parse("2026-03-08T04:00:00Z"); t < Date.parse("2026-03-09T04:00:00Z"); t += MINUTE) {
      expect(windowMatches(compiled(w), new Date(t))).toBe(false);
    }
    // The hour exists the day before and the day after.
    expect(matches(w, "2026-03-07T07:30:00Z")).toBe(true);
    expect(matches(w, "2026-03-09T06:30:00Z")).toBe(true);
    // 1:00 EST runs into 3:00 EDT.
    expect(matches({ hours: "1-2", timezone: "America/New_York" }, "2026-03-08T06:59:59Z")).toBe(true);
    expect(matches({ hours: "1-2", timezone: "America/New_York" }, "2026-03-08T07:00:00Z")).toBe(false);
    expect(matches({ hours: "3-4", timezone: "America/New_York" }, "2026-03-08T07:00:00Z")).toBe(true);
  });

  it("matches a repeated hour only on its first pass (New York, 2026-11-01)", () => {
    const w = { hours: "1-2", timezone: "America/New_York" };
    expect(matches(w, "2026-11-01T04:59:59Z")).toBe(false); // 00:59 EDT
    expect(matches(w, "2026-11-01T05:00:00Z")).toBe(true); // 01:00 EDT
    expect(matches(w, "2026-11-01T05:59:59.999Z")).toBe(true); // 01:59 EDT
    expect(matches(w, "2026-11-01T06:00:00Z")).toBe(false); // 01:00 EST, second pass
    expect(matches(w, "2026-11-01T06:59:59Z")).toBe(false); // 01:59 EST
    expect(matches(w, "2026-11-01T07:00:00Z")).toBe(false); // 02:00 EST
    expect(matches(w, "2026-11-02T06:30:00Z")).toBe(true); // a normal day: 01:30 EST
  });

  it("keeps a days-only window whole through the repeated hour", () => {
    expect(matches({ days: "sun", timezone: "America/New_York" }, "2026-11-01T06:30:00Z")).toBe(true);
    expect(matches({ hours: "0-24", timezone: "America/New_York" }, "2026-11-01T06:30:00Z")).toBe(true);
  });

  it("handles Europe/Berlin spring forward (2026-03-29) and fall back (2026-10-25)", () => {
    const w = { hours: "2-3", timezone: "Europe/Berlin" };
    for (let t = Date.parse("2026-03-28T23:00:00Z"); t < Date.parse("2026-03-29T22:00:00Z"); t += MINUTE) {
      expect(windowMatches(compiled(w), new Date(t))).toBe(false);
    }
    expect(matches(w, "2026-10-25T00:30:00Z")).toBe(true); // 02:30 CEST
    expect(matches(w, "2026-10-25T01:30:00Z")).toBe(false); // 02:30 CET, second pass
  });

  it("does not match an invalid date", () => {
    expect(windowMatches(compiled({}), new Date(Number.NaN))).toBe(false);
  });
});

describe("firstMatchingEntry", () => {
  const entries = [
    { days: "sat-sun", state: "weekend" },
    { hours: "9-17", timezone: "Europe/Berlin", state: "office" },
    { state: "always" },
  ];

  it("returns the first entry that matches, in order", () => {
    expect(firstMatchingEntry(entries, new Date("2026-11-28T10:00:00Z"))).toEqual({
      entry: entries[0],
      index: 0,
    });
    expect(firstMatchingEntry(entries, new Date("2026-11-23T10:00:00Z"))).toEqual({
      entry: entries[1],
      index: 1,
    });
    expect(firstMatchingEntry(entries, new Date("2026-11-23T20:00:00Z"))).toEqual({
      entry: entries[2],
      index: 2,
    });
  });

  it("returns undefined when nothing matches", () => {
    expect(firstMatchingEntry([{ days: "mon" }], new Date("2026-11-24T10:00:00Z"))).toBeUndefined();
    expect(firstMatchingEntry([], new Date("2026-11-24T10:00:00Z"))).toBeUndefined();
  });

  it("never matches an entry that does not compile", () => {
    const bad = [{ days: "funday" }, { timezone: "Mars/Base" }, { hours: "9" }];
    expect(firstMatchingEntry(bad, new Date("2026-11-24T09:30:00Z"))?.index).toBe(2);
    expect(firstMatchingEntry(bad, new Date("2026-11-24T11:30:00Z"))).toBeUndefined();
  });
});

describe("nextScheduleChange", () => {
  it("finds the start and end of Friday in Berlin", () => {
    expect(changes([{ days: "fri", timezone: "Europe/Berlin" }], "2026-11-23T00:00:00Z", 2)).toEqual([
      "2026-11-26T23:00:00.000Z",
      "2026-11-27T23:00:00.000Z",
    ]);
  });

  it("is strictly after `from`, even when `from` is a boundary", () => {
    const next = nextScheduleChange(
      [{ days: "fri", timezone: "Europe/Berlin" }],
      new Date("2026-11-26T23:00:00Z"),
    );
    expect(next?.toISOString()).toBe("2026-11-27T23:00:00.000Z");
  });

  it("steps over the hour skipped in New York on 2026-03-08", () => {
    expect(changes([{ hours: "2-3", timezone: "America/New_York" }], "2026-03-07T12:00:00Z", 2)).toEqual([
      "2026-03-09T06:00:00.000Z",
      "2026-03-09T07:00:00.000Z",
    ]);
    expect(changes([{ hours: "1-2", timezone: "America/New_York" }], "2026-03-07T12:00:00Z", 4)).toEqual([
      "2026-03-08T06:00:00.000Z",
      "2026-03-08T07:00:00.000Z",
      "2026-03-09T05:00:00.000Z",
      "2026-03-09T06:00:00.000Z",
    ]);
  });

  it("counts the hour repeated in New York on 2026-11-01 once", () => {
    expect(changes([{ hours: "1-2", timezone: "America/New_York" }], "2026-10-31T12:00:00Z", 4)).toEqual([
      "2026-11-01T05:00:00.000Z",
      "2026-11-01T06:00:00.000Z",
      "2026-11-02T06:00:00.000Z",
      "2026-11-02T07:00:00.000Z",
    ]);
    expect(
      changes([{ hours: "0-9,17-24", timezone: "America/New_York" }], "2026-10-31T12:00:00Z", 6),
    ).toEqual([
      "2026-10-31T13:00:00.000Z", // 09:00 EDT: closes
      "2026-10-31T21:00:00.000Z", // 17:00 EDT: opens, through midnight
      "2026-11-01T06:00:00.000Z", // 01:00 EST, the repeated hour: closed
      "2026-11-01T07:00:00.000Z", // 02:00 EST: open again
      "2026-11-01T14:00:00.000Z", // 09:00 EST
      "2026-11-01T22:00:00.000Z", // 17:00 EST
    ]);
  });

  it("handles Europe/Berlin's transitions", () => {
    expect(changes([{ hours: "2-3", timezone: "Europe/Berlin" }], "2026-03-28T12:00:00Z", 1)).toEqual([
      "2026-03-30T00:00:00.000Z",
    ]);
    expect(changes([{ hours: "2-3", timezone: "Europe/Berlin" }], "2026-10-24T12:00:00Z", 3)).toEqual([
      "2026-10-25T00:00:00.000Z",
      "2026-10-25T01:00:00.000Z",
      "2026-10-26T01:00:00.000Z",
    ]);
  });

  it("is exact for zones with :30 and :45 offsets", () => {
    expect(changes([{ hours: "9-17", timezone: "Asia/Kolkata" }], "2026-11-23T00:00:00Z", 2)).toEqual([
      "2026-11-23T03:30:00.000Z",
      "2026-11-23T11:30:00.000Z",
    ]);
    expect(changes([{ hours: "9-17", timezone: "Asia/Kathmandu" }], "2026-11-23T00:00:00Z", 2)).toEqual([
      "2026-11-23T03:15:00.000Z",
      "2026-11-23T11:15:00.000Z",
    ]);
  });

  it("reports a change of entry even when both entries match", () => {
    const entries = [{ days: "sat-sun" }, { hours: "9-17" }];
    // Friday 20:00 UTC: nothing; Saturday 00:00: entry 0 all weekend; Monday 09:00: entry 1.
    expect(changes(entries, "2026-11-27T20:00:00Z", 3)).toEqual([
      "2026-11-28T00:00:00.000Z",
      "2026-11-30T00:00:00.000Z",
      "2026-11-30T09:00:00.000Z",
    ]);
  });

  it("returns undefined when nothing can change or nothing changes within the horizon", () => {
    const from = new Date("2026-11-24T10:00:00Z");
    expect(nextScheduleChange([], from)).toBeUndefined();
    expect(nextScheduleChange([{ timezone: "Europe/Berlin" }], from)).toBeUndefined();
    expect(nextScheduleChange([{ days: "funday" }], from)).toBeUndefined();
    expect(nextScheduleChange([{ days: "mon" }], from, HOUR)).toBeUndefined();
    expect(nextScheduleChange([{ days: "mon" }], from, 6 * DAY)?.toISOString()).toBe(
      "2026-11-30T00:00:00.000Z",
    );
    expect(nextScheduleChange([{ days: "sun-sat" }], from)).toBeUndefined();
    expect(nextScheduleChange([{ days: "mon" }], new Date(Number.NaN))).toBeUndefined();
  });

  const zones = [
    "UTC",
    "America/New_York",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "America/St_Johns",
    "Pacific/Chatham",
  ];
  const windowArb = fc.record(
    {
      days: fc.constantFrom("mon-fri", "sat,sun", "fri", "fri-mon", "tue,thu", "sun"),
      hours: fc.constantFrom("9-17", "0-9,17-24", "2", "1-3", "23-24", "0-1", "0-24"),
      timezone: fc.constantFrom(...zones),
    },
    { requiredKeys: [] },
  );
  // 2026, with extra weight on the days clocks change.
  const instantArb = fc.oneof(
    fc.integer({ min: Date.parse("2026-01-01T00:00:00Z"), max: Date.parse("2027-01-01T00:00:00Z") }),
    fc
      .constantFrom("2026-03-07", "2026-03-27", "2026-10-24", "2026-10-31", "2026-04-04", "2026-09-26")
      .chain((d) =>
        fc.integer({ min: Date.parse(`${d}T00:00:00Z`), max: Date.parse(`${d}T00:00:00Z`) + 2 * DAY }),
      ),
  );

  it("returns a real change point: the state just before differs from the state at the instant", () => {
    fc.assert(
      fc.property(fc.array(windowArb, { minLength: 1, maxLength: 3 }), instantArb, (entries, from) => {
        const next = nextScheduleChange(entries, new Date(from));
        const initial = indexAt(entries, from);
        if (next === undefined) {
          for (let t = from; t <= from + 8 * DAY; t += 97 * MINUTE) expect(indexAt(entries, t)).toBe(initial);
          return;
        }
        const at = next.getTime();
        expect(at).toBeGreaterThan(from);
        expect(at - from).toBeLessThanOrEqual(8 * DAY);
        expect(indexAt(entries, at - 1)).toBe(initial);
        expect(indexAt(entries, at)).not.toBe(initial);
      }),
      { numRuns: 300 },
    );
  });

  it("returns the first change: a minute-by-minute scan finds no earlier one", () => {
    fc.assert(
      fc.property(fc.array(windowArb, { minLength: 1, maxLength: 2 }), instantArb, (entries, from) => {
        const next = nextScheduleChange(entries, new Date(from), 2 * DAY);
        const initial = indexAt(entries, from);
        let expected: number | undefined;
        for (let t = Math.floor(from / MINUTE) * MINUTE + MINUTE; t <= from + 2 * DAY; t += MINUTE) {
          if (indexAt(entries, t) !== initial) {
            expected = t;
            break;
          }
        }
        expect(next?.getTime()).toBe(expected);
      }),
      { numRuns: 40 },
    );
  });

  it("is fast enough to call on every decision", () => {
    const entries = [
      { days: "sat", hours: "3-4", timezone: "Asia/Kathmandu" },
      { days: "mon-fri", hours: "9-17", timezone: "America/New_York" },
      { days: "fri", timezone: "Europe/Berlin" },
    ];
    const started = performance.now();
    for (let i = 0; i < 1000; i++)
      nextScheduleChange(entries, new Date(Date.UTC(2026, 0, 1) + i * 7 * HOUR + 123));
    expect(performance.now() - started).toBeLessThan(15_000);
  });
});
