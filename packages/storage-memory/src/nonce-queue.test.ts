import { describe, expect, it } from "vitest";
import { createMemoryStorage } from "./index.js";
import type { NonceEntry } from "./nonce-queue.js";
import { NonceQueue } from "./nonce-queue.js";

function entry(nonces: Map<string, NonceEntry>, nonce: string, expiresAt: number): NonceEntry {
  return { nonces, nonce, expiresAt };
}

describe("NonceQueue", () => {
  it("forgets the oldest nonces once it holds its capacity", () => {
    const queue = new NonceQueue(3);
    const nonces = new Map<string, NonceEntry>();
    for (let i = 0; i < 5; i++) queue.add(entry(nonces, `n${i}`, Number.POSITIVE_INFINITY));
    expect(queue.size).toBe(3);
    expect([...nonces.keys()]).toEqual(["n2", "n3", "n4"]);
  });

  it("forgets expired nonces against the latest time consumes reported", () => {
    const queue = new NonceQueue(100);
    const nonces = new Map<string, NonceEntry>();
    queue.add(entry(nonces, "old", 1_000));
    queue.add(entry(nonces, "young", 5_000));
    queue.observe(2_000);
    queue.observe(1_500); // A clock read out of order does not move time back.
    queue.add(entry(nonces, "new", 9_000));
    expect([...nonces.keys()]).toEqual(["young", "new"]);
    expect(queue.size).toBe(2);
  });

  it("stays bounded over a long run of unused nonces, and keeps the recent ones", () => {
    const queue = new NonceQueue(1_000);
    const nonces = new Map<string, NonceEntry>();
    for (let i = 0; i < 50_000; i++) {
      queue.observe(i);
      queue.add(entry(nonces, `n${i}`, i + 500));
    }
    expect(queue.size).toBeLessThanOrEqual(501);
    expect(nonces.size).toBeLessThanOrEqual(501);
    expect(nonces.has("n49999")).toBe(true);
  });

  it("leaves a nonce re-inserted after a consume alone when the old entry's turn comes", () => {
    const queue = new NonceQueue(2);
    const nonces = new Map<string, NonceEntry>();
    queue.add(entry(nonces, "a", Number.POSITIVE_INFINITY));
    nonces.delete("a"); // consumed
    const again = entry(nonces, "a", Number.POSITIVE_INFINITY);
    queue.add(again);
    queue.add(entry(nonces, "b", Number.POSITIVE_INFINITY)); // evicts the first, stale entry
    expect(nonces.get("a")).toBe(again);
  });
});

describe("createMemoryStorage({ maxNonces })", () => {
  it("answers false for a nonce forgotten to stay within maxNonces", async () => {
    const storage = createMemoryStorage({ maxNonces: 2 });
    const later = new Date("2030-01-01T00:00:00.000Z");
    const now = new Date("2029-01-01T00:00:00.000Z");
    for (const nonce of ["a", "b", "c"]) await storage.nonces.insert("endpoint", nonce, later);
    const consumed = await Promise.all(
      ["a", "b", "c"].map((nonce) => storage.nonces.consume("endpoint", nonce, now)),
    );
    expect(consumed.map((answer) => answer.unwrapOr("err"))).toEqual([false, true, true]);
  });
});
