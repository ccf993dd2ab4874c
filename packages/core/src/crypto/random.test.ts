import { describe, expect, it } from "vitest";
import { randomBase64url, randomOctets } from "./random.js";

describe("random pool", () => {
  it("hands out distinct values of the asked size across pool refills", () => {
    const seen = new Set<string>();
    // 16 octets × 1,000 = 16 KB: four refills of the 4 KiB pool.
    for (let i = 0; i < 1000; i++) {
      const text = randomBase64url(16);
      expect(text).toMatch(/^[A-Za-z0-9_-]{22}$/);
      seen.add(text);
    }
    expect(seen.size).toBe(1000);
  });

  it("returns fresh arrays that do not share the pool", () => {
    const a = randomOctets(32);
    const copy = Uint8Array.from(a);
    randomOctets(4096);
    randomOctets(32);
    expect(a).toEqual(copy);
    expect(a.byteLength).toBe(32);
    expect(a.buffer.byteLength).toBe(32);
  });

  it("refuses more than one pool at a time", () => {
    expect(() => randomOctets(4097)).toThrow(RangeError);
  });
});
