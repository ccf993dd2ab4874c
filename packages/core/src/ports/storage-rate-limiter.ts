import type { RateLimiter } from "./rate-limiter.js";
import type { AcmeStores } from "./storage.js";

/**
 * A rate limiter whose state is the storage's `rateLimits` store, so that several server
 * instances on one storage (e.g. one SQLite file, one database) count together; the memory
 * limiter counts per process. Same GCRA semantics as `createMemoryRateLimiter`.
 */
export function createStorageRateLimiter(storage: Pick<AcmeStores, "rateLimits">): RateLimiter {
  return {
    take: (key, limit, now) =>
      storage.rateLimits
        .take({ key, count: limit.count, windowMs: limit.windowMs, now })
        .mapErr((error) => ({ message: `the storage rate limiter failed: ${error.message}`, cause: error })),
  };
}
