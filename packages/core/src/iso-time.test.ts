import { describe, expect, it } from "vitest";
import { isoString } from "./iso-time.js";

describe("isoString", () => {
  it("formats exactly as toISOString, across minutes, hours, days and years", () => {
    const times = [
      0,
      1,
      59_999,
      60_000,
      Date.UTC(2026, 10, 29, 0, 6, 22, 5),
      Date.UTC(2026, 10, 29, 0, 6, 22, 50),
      Date.UTC(2026, 10, 29, 0, 6, 9, 999),
      Date.UTC(2026, 11, 31, 23, 59, 59, 999),
      Date.UTC(2027, 0, 1, 0, 0, 0, 0),
      Date.UTC(2024, 1, 29, 12, 0, 1, 100),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      // Outside the cached form: before 1970, past 9999 (±YYYYYY).
      -1,
      Date.UTC(1950, 0, 1),
      Date.UTC(10_000, 0, 1),
      -62_198_755_200_000,
    ];
    // Then the same times again (the cached minute is now another) and random ones.
    for (let i = 0; i < 2000; i++) times.push(Math.floor(Math.random() * 253_402_300_800_000));
    for (const ms of [...times, ...times]) expect(isoString(new Date(ms))).toBe(new Date(ms).toISOString());
  });

  it("consecutive times in one minute: the cached prefix with each time's seconds and milliseconds", () => {
    const start = Date.UTC(2026, 10, 29, 0, 6, 0, 0);
    for (let ms = start - 1500; ms < start + 61_500; ms += 7) {
      expect(isoString(new Date(ms))).toBe(new Date(ms).toISOString());
    }
  });

  it("throws toISOString's RangeError for an invalid date", () => {
    expect(() => isoString(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe("isoString across more minutes than it caches", () => {
  it("each minute's own prefix, whichever slots were replaced", () => {
    const start = Date.UTC(2026, 10, 29, 0, 6, 0, 0);
    // Twelve minutes (more than the slots) a day apart, visited repeatedly in turn.
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 12; i++) {
        const ms = start + i * 86_400_000 + round * 1001;
        expect(isoString(new Date(ms))).toBe(new Date(ms).toISOString());
      }
    }
  });
});
