import { describe, expect, it } from "vitest";
import { createMemoryRateLimiter } from "./rate-limiter.js";

const limit = { count: 3, windowMs: 60_000 };
const at = (ms: number) => new Date(Date.UTC(2030, 0, 1) + ms);

describe("createMemoryRateLimiter (GCRA)", () => {
  it("allows `count` at once, refuses the next with the time until one refills, then allows it", async () => {
    const limiter = createMemoryRateLimiter();
    for (let i = 0; i < 3; i++) {
      expect((await limiter.take("k", limit, at(0)))._unsafeUnwrap()).toEqual({
        allowed: true,
        retryAfterMs: 0,
      });
    }
    // One refills every windowMs / count = 20 s.
    expect((await limiter.take("k", limit, at(0)))._unsafeUnwrap()).toEqual({
      allowed: false,
      retryAfterMs: 20_000,
    });
    expect((await limiter.take("k", limit, at(15_000)))._unsafeUnwrap()).toEqual({
      allowed: false,
      retryAfterMs: 5_000,
    });
    expect((await limiter.take("k", limit, at(20_000)))._unsafeUnwrap().allowed).toBe(true);
    expect((await limiter.take("k", limit, at(20_000)))._unsafeUnwrap().allowed).toBe(false);
    // A whole window later the bucket is full again.
    for (let i = 0; i < 3; i++)
      expect((await limiter.take("k", limit, at(80_000)))._unsafeUnwrap().allowed).toBe(true);
    expect((await limiter.take("k", limit, at(80_000)))._unsafeUnwrap().allowed).toBe(false);
  });

  it("does not count refused requests, and keeps keys apart", async () => {
    const limiter = createMemoryRateLimiter();
    const one = { count: 1, windowMs: 10_000 };
    expect((await limiter.take("a", one, at(0)))._unsafeUnwrap().allowed).toBe(true);
    for (let i = 0; i < 5; i++)
      expect((await limiter.take("a", one, at(i)))._unsafeUnwrap().allowed).toBe(false);
    expect((await limiter.take("b", one, at(0)))._unsafeUnwrap().allowed).toBe(true);
    expect((await limiter.take("a", one, at(10_000)))._unsafeUnwrap().allowed).toBe(true);
  });

  it("drops keys whose bucket has refilled", async () => {
    const limiter = createMemoryRateLimiter();
    for (let i = 0; i < 1_000; i++) await limiter.take(`ip-${i}`, limit, at(0));
    expect(limiter.size()).toBe(1_000);
    await limiter.take("late", limit, at(limit.windowMs));
    expect(limiter.size()).toBe(1);
  });

  it("keeps at most maxKeys, forgetting the longest-untouched first", async () => {
    const limiter = createMemoryRateLimiter({ maxKeys: 10 });
    const one = { count: 1, windowMs: 3_600_000 };
    for (let i = 0; i < 100; i++) await limiter.take(`ip-${i}`, one, at(i));
    expect(limiter.size()).toBe(10);
    // The most recent keys are still counted; the oldest start afresh.
    expect((await limiter.take("ip-99", one, at(200)))._unsafeUnwrap().allowed).toBe(false);
    expect((await limiter.take("ip-0", one, at(200)))._unsafeUnwrap().allowed).toBe(true);
  });
});
