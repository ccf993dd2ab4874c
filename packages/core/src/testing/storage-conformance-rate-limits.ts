/**
 * Conformance cases of the storage's rate limit store (issue 5): the GCRA of
 * `createMemoryRateLimiter`, atomic per key. Called from `describeStorageConformance`.
 */
import type { Result } from "neverthrow";
import { err } from "neverthrow";
import { describe, expect, it } from "vitest";
import type { AcmeStorage, RateLimitTaken, StorageError } from "../ports/storage.js";

type StorageGetter = () => AcmeStorage;

async function value<T>(result: PromiseLike<Result<T, StorageError>>): Promise<T> {
  const answer = await result;
  if (answer.isErr()) throw new Error(`expected ok, got err ${JSON.stringify(answer.error)}`);
  return answer.value;
}

const T0 = Date.parse("2025-06-01T00:00:00.000Z");
const at = (ms: number) => new Date(T0 + ms);
const ALLOWED: RateLimitTaken = { allowed: true, retryAfterMs: 0 };
const refused = (retryAfterMs: number): RateLimitTaken => ({ allowed: false, retryAfterMs });

export function describeRateLimitConformance(storage: StorageGetter): void {
  describe("rate limits", () => {
    // 3 per 3 s: a burst of 3, then one more every second.
    const take = (key: string, ms: number, count = 3, windowMs = 3_000) =>
      value(storage().rateLimits.take({ key, count, windowMs, now: at(ms) }));

    it("allows a burst of `count`, then refuses with the exact wait", async () => {
      const key = crypto.randomUUID();
      for (let i = 0; i < 3; i++) expect(await take(key, 0)).toEqual(ALLOWED);
      expect(await take(key, 0)).toEqual(refused(1_000));
      expect(await take(key, 400)).toEqual(refused(600));
      // Rounded up to whole milliseconds: 7 per 1 s is one every 142.857… ms.
      const odd = crypto.randomUUID();
      for (let i = 0; i < 7; i++) expect(await take(odd, 0, 7, 1_000)).toEqual(ALLOWED);
      expect(await take(odd, 0, 7, 1_000)).toEqual(refused(143));
    });

    it("refills one every windowMs / count, up to the burst", async () => {
      const key = crypto.randomUUID();
      for (let i = 0; i < 3; i++) await take(key, 0);
      expect(await take(key, 1_000)).toEqual(ALLOWED);
      expect(await take(key, 1_000)).toEqual(refused(1_000));
      // Long after, the bucket is full again: a whole burst, and no more.
      for (let i = 0; i < 3; i++) expect(await take(key, 60_000)).toEqual(ALLOWED);
      expect((await take(key, 60_000)).allowed).toBe(false);
    });

    it("keeps keys independent", async () => {
      const a = crypto.randomUUID();
      const b = crypto.randomUUID();
      for (let i = 0; i < 3; i++) await take(a, 0);
      expect((await take(a, 0)).allowed).toBe(false);
      for (let i = 0; i < 3; i++) expect(await take(b, 0)).toEqual(ALLOWED);
    });

    it("does not count refused takes", async () => {
      const key = crypto.randomUUID();
      for (let i = 0; i < 3; i++) await take(key, 0);
      for (let i = 0; i < 10; i++) expect((await take(key, 500)).allowed).toBe(false);
      // Had the refusals counted, the wait would have grown past one interval.
      expect(await take(key, 1_000)).toEqual(ALLOWED);
      expect(await take(key, 1_000)).toEqual(refused(1_000));
    });

    it("is atomic: 20 parallel takes with a burst of 5 allow exactly 5", async () => {
      const key = crypto.randomUUID();
      const answers = await Promise.all(Array.from({ length: 20 }, () => take(key, 0, 5, 60_000)));
      expect(answers.filter((a) => a.allowed)).toHaveLength(5);
      expect(answers.filter((a) => !a.allowed).every((a) => a.retryAfterMs === 12_000)).toBe(true);
    });

    it("keeps only what a transaction commits", async () => {
      const key = crypto.randomUUID();
      const s = storage();
      await s.transaction((tx) =>
        tx.rateLimits.take({ key, count: 1, windowMs: 1_000, now: at(0) }).andThen(() => err("no")),
      );
      expect(await take(key, 0, 1, 1_000)).toEqual(ALLOWED);
    });

    it("answers invalid for an unusable limit or date", async () => {
      const s = storage();
      for (const input of [
        { key: "k", count: 0, windowMs: 1_000, now: at(0) },
        { key: "k", count: 1.5, windowMs: 1_000, now: at(0) },
        { key: "k", count: 1, windowMs: 0, now: at(0) },
        { key: "k", count: 1, windowMs: 1_000, now: new Date(Number.NaN) },
      ]) {
        const answer = await s.rateLimits.take(input);
        expect(answer.isErr() && answer.error.type).toBe("invalid");
      }
    });
  });
}
