import { describe, expect, it } from "vitest";
import { SortedKeys } from "./sorted-keys.js";

/** A small deterministic generator: the same run every time. */
function numbers(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

describe("SortedKeys", () => {
  it("reads as a sorted set of its keys whatever the mix of adds, removes and reads", () => {
    const random = numbers(7);
    const keys = new SortedKeys();
    const model = new Set<string>();
    for (let step = 0; step < 5000; step++) {
      const key = `k${Math.floor(random() * 400)}`;
      const action = random();
      if (action < 0.6) {
        keys.add(key);
        model.add(key);
      } else if (action < 0.8) {
        keys.remove(key);
        model.delete(key);
      } else {
        // Reads now and then, some after many waiting adds (merged), some after few (spliced).
        if (random() < 0.5) continue;
        const expected = [...model].sort();
        expect(keys.size).toBe(expected.length);
        expect(Array.from({ length: keys.size }, (_, i) => keys.at(i))).toEqual(expected);
        expect(keys.lowerBound(key)).toBe(expected.filter((k) => k < key).length);
      }
    }
  });

  it("a key added again while present, then removed, is gone (a set, not a count)", () => {
    const keys = new SortedKeys();
    for (const key of ["b", "a"]) keys.add(key);
    expect(keys.size).toBe(2);
    // Present and added again, removed at once; then added twice before one removal.
    keys.add("a");
    keys.remove("a");
    keys.add("c");
    keys.add("c");
    keys.remove("c");
    expect(Array.from({ length: keys.size }, (_, i) => keys.at(i))).toEqual(["b"]);
  });

  it("merges a long run of out-of-order adds, each key once", () => {
    const keys = new SortedKeys();
    const added = Array.from({ length: 100 }, (_, i) => `2027-01-01T00:00:00Z\u0000${(i * 37) % 100}`);
    for (const key of [...added, ...added]) keys.add(key);
    keys.remove(added[5] as string);
    const expected = added.filter((k) => k !== added[5]).sort();
    expect(Array.from({ length: keys.size }, (_, i) => keys.at(i))).toEqual(expected);
  });
});
