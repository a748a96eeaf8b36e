import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isExpired, parseExpires } from "../../../src/lang/time/expires.js";

function instant(text: string): string | undefined {
  const parsed = parseExpires(text);
  return parsed.ok ? parsed.value.toISOString() : undefined;
}

describe("parseExpires", () => {
  it("reads a date as 00:00 UTC that day", () => {
    expect(instant("2027-02-01")).toBe("2027-02-01T00:00:00.000Z");
    expect(instant("2028-02-29")).toBe("2028-02-29T00:00:00.000Z");
  });

  it("reads RFC 3339 times with their offset", () => {
    expect(instant("2027-02-01T09:00:00+01:00")).toBe("2027-02-01T08:00:00.000Z");
    expect(instant("2027-02-01T09:00:00-05:30")).toBe("2027-02-01T14:30:00.000Z");
    expect(instant("2027-02-01T09:00:00Z")).toBe("2027-02-01T09:00:00.000Z");
    expect(instant("2027-02-01t09:00:00z")).toBe("2027-02-01T09:00:00.000Z");
    expect(instant("2027-02-01 09:00:00Z")).toBe("2027-02-01T09:00:00.000Z");
    expect(instant("2027-02-01T09:00:00.250Z")).toBe("2027-02-01T09:00:00.250Z");
    expect(instant("2027-01-01T00:30:00+01:00")).toBe("2026-12-31T23:30:00.000Z");
  });

  it("keeps years below 100 as written", () => {
    const parsed = parseExpires("0050-06-01");
    expect(parsed.ok && parsed.value.getUTCFullYear()).toBe(50);
  });

  it.each([
    ["2027-02-30", /calendar date/],
    ["2027-02-29", /calendar date/],
    ["2027-13-01", /calendar date/],
    ["2027-00-10", /calendar date/],
    ["2027-02-01T09:00:00", /not a date or time/],
    ["2027-02-01T24:00:00Z", /time of day/],
    ["2027-02-01T09:60:00Z", /time of day/],
    ["2027-02-01T09:00:00+24:00", /offset/],
    ["tomorrow", /not a date or time/],
    ["", /not a date or time/],
    ["2027-2-1", /not a date or time/],
  ])("rejects %j", (text, message) => {
    const parsed = parseExpires(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(message);
  });

  it("never throws on any string", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const parsed = parseExpires(text);
        if (parsed.ok) expect(Number.isNaN(parsed.value.getTime())).toBe(false);
      }),
    );
  });

  it("reads back every date it could have written", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("1970-01-01"), max: new Date("2999-12-31"), noInvalidDate: true }),
        (d) => {
          const day = d.toISOString().slice(0, 10);
          expect(instant(day)).toBe(`${day}T00:00:00.000Z`);
          expect(instant(d.toISOString())).toBe(d.toISOString());
        },
      ),
    );
  });
});

describe("isExpired", () => {
  const expires = new Date("2027-02-01T00:00:00Z");
  it("is expired from that instant on", () => {
    expect(isExpired(expires, new Date("2027-01-31T23:59:59.999Z"))).toBe(false);
    expect(isExpired(expires, new Date("2027-02-01T00:00:00.000Z"))).toBe(true);
    expect(isExpired(expires, new Date("2030-01-01T00:00:00Z"))).toBe(true);
  });
});
