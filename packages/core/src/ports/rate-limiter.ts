import { okAsync, type ResultAsync } from "neverthrow";
import { gcraStep } from "./storage.js";

/** `count` requests per `windowMs`, refilled evenly (one every `windowMs / count`). */
export interface RateLimit {
  readonly count: number;
  readonly windowMs: number;
}

export interface RateLimitDecision {
  readonly allowed: boolean;
  /** 0 when allowed; else how long until one more request would be allowed. */
  readonly retryAfterMs: number;
}

export interface RateLimiterError {
  readonly message: string;
  readonly cause?: unknown;
}

/**
 * RFC 8555 §6.6 rate limits: counts one request under `key` against `limit` at `now`. An
 * allowed request is counted; a refused one is not. The default keeps state in memory, so
 * several server instances each count on their own; `createStorageRateLimiter` shares the
 * count through the storage.
 */
export interface RateLimiter {
  take(key: string, limit: RateLimit, now: Date): ResultAsync<RateLimitDecision, RateLimiterError>;
}

export interface MemoryRateLimiterOptions {
  /**
   * The most keys kept (default 100,000). Keys whose bucket is full again are dropped first;
   * past the bound the longest-untouched keys are forgotten (they start afresh), so memory stays
   * bounded even under a flood of distinct keys.
   */
  readonly maxKeys?: number;
}

/**
 * GCRA (the generic cell rate algorithm, a token bucket kept as one number per key): each key
 * stores its theoretical arrival time `tat`; a request at `now` is allowed when
 * `max(tat, now) + windowMs / count - now <= windowMs`, i.e. up to `count` at once and then one
 * every `windowMs / count`. A key whose `tat` has passed is as good as new and is dropped.
 */
export function createMemoryRateLimiter(options: MemoryRateLimiterOptions = {}): RateLimiter & {
  /** How many keys are kept now (for tests and metrics). */
  readonly size: () => number;
} {
  const maxKeys = options.maxKeys ?? 100_000;
  // Insertion order is touch order (a key is re-inserted on every allowed take): oldest first.
  const tats = new Map<string, number>();
  let nextSweep = 0;

  const sweep = (now: number) => {
    for (const [key, tat] of tats) if (tat <= now) tats.delete(key);
    nextSweep = now + 1_000;
  };

  return {
    size: () => tats.size,
    take(key, limit, now) {
      const t = now.getTime();
      const step = gcraStep(tats.get(key), { key, count: limit.count, windowMs: limit.windowMs, now });
      if (!step.allowed) return okAsync({ allowed: false, retryAfterMs: step.retryAfterMs });
      tats.delete(key);
      tats.set(key, step.tat);
      if (tats.size > maxKeys || t >= nextSweep) sweep(t);
      // Still too many live keys: forget the longest-untouched ones.
      for (const oldest of tats.keys()) {
        if (tats.size <= maxKeys) break;
        tats.delete(oldest);
      }
      return okAsync({ allowed: true, retryAfterMs: 0 });
    },
  };
}
