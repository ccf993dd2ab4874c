import { describe, expect, it } from "vitest";
import { createMemoryStorage } from "./index.js";
import type { NonceMap } from "./nonce-queue.js";
import { NonceQueue } from "./nonce-queue.js";

describe("NonceQueue", () => {
  it("forgets the oldest nonces once it holds its capacity", () => {
    const queue = new NonceQueue(3);
    const nonces = new Map() as NonceMap;
    for (let i = 0; i < 5; i++) queue.add(nonces, `n${i}`, Number.POSITIVE_INFINITY);
    expect(queue.size).toBe(3);
    expect([...nonces.keys()]).toEqual(["n2", "n3", "n4"]);
  });

  it("forgets expired nonces against the latest time consumes reported", () => {
    const queue = new NonceQueue(100);
    const nonces = new Map() as NonceMap;
    queue.add(nonces, "old", 1_000);
    queue.add(nonces, "young", 5_000);
    queue.observe(2_000);
    queue.observe(1_500); // A clock read out of order does not move time back.
    queue.add(nonces, "new", 9_000);
    expect([...nonces.keys()]).toEqual(["young", "new"]);
    expect(queue.size).toBe(2);
  });

  it("stays bounded over a long run of unused nonces, and keeps the recent ones", () => {
    const queue = new NonceQueue(1_000);
    const nonces = new Map() as NonceMap;
    for (let i = 0; i < 50_000; i++) {
      queue.observe(i);
      queue.add(nonces, `n${i}`, i + 500);
    }
    expect(queue.size).toBeLessThanOrEqual(501);
    expect(nonces.size).toBeLessThanOrEqual(501);
    expect(nonces.has("n49999")).toBe(true);
  });

  it("leaves a nonce re-inserted after a consume alone when the old entry's turn comes", () => {
    const queue = new NonceQueue(2);
    const nonces = new Map() as NonceMap;
    queue.add(nonces, "a", Number.POSITIVE_INFINITY);
    nonces.delete("a"); // consumed
    const again = queue.add(nonces, "a", Number.POSITIVE_INFINITY);
    queue.add(nonces, "b", Number.POSITIVE_INFINITY); // evicts the first, stale entry
    expect(nonces.get("a")).toBe(again);
  });

  it("finds each kept nonce's expiry after the forgotten prefix is dropped", () => {
    const queue = new NonceQueue(100_000);
    const nonces = new Map() as NonceMap;
    for (let i = 0; i < 5_000; i++) {
      queue.observe(i);
      // The first 3,000 expire soon: forgotten, then dropped from the front of the queue.
      queue.add(nonces, `n${i}`, i < 3_000 ? i + 10 : 1_000_000 + i);
    }
    expect(nonces.size).toBe(2_000);
    for (const [nonce, position] of nonces) {
      const i = Number(nonce.slice(1));
      expect(queue.expiresAt(position)).toBe(1_000_000 + i);
    }
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
