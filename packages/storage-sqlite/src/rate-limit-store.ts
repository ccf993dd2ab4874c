import type { RateLimitStore } from "@acme-endpoints/core";
import { gcraStep, rateLimitTakeProblem } from "@acme-endpoints/core";
import { err, ok } from "neverthrow";
import type { Connection, Runner } from "./connection.js";

/** Every this many allowed takes, one bounded prune of keys whose `tat` has passed. */
export const RATE_LIMIT_PRUNE_EVERY = 100;
/** At most this many passed keys go per prune. */
export const RATE_LIMIT_PRUNE_BATCH = 1000;

/**
 * A take reads and writes its key in one BEGIN IMMEDIATE transaction (a savepoint inside a
 * storage transaction): the write lock is taken before the read, so takes of other processes
 * on the file wait for it and none is lost. The GCRA step itself is core's `gcraStep`, the
 * same arithmetic as the memory limiter (`tat` is REAL: `windowMs / count` need not be whole).
 */
export function createRateLimitStore(connection: Connection, runner: Runner): RateLimitStore {
  // A passed `tat` is as good as no row. Best effort: a failed prune leaves rows for the next.
  const prune = (now: number): void => {
    connection.rateLimitsSincePrune = 0;
    try {
      connection
        .statement(
          `DELETE FROM rate_limits WHERE key IN
             (SELECT key FROM rate_limits WHERE tat <= ? ORDER BY tat LIMIT ?)`,
        )
        .run(now, RATE_LIMIT_PRUNE_BATCH);
    } catch {
      // pruned next time
    }
  };

  return {
    take: (input) =>
      runner.run("taking a rate limit", () => {
        const problem = rateLimitTakeProblem(input);
        if (problem !== undefined) return err(problem);
        const step = connection.atomically(() => {
          const row = connection.statement("SELECT tat FROM rate_limits WHERE key = ?").get(input.key);
          const taken = gcraStep(row === undefined ? undefined : Number(row.tat), input);
          if (taken.allowed) {
            connection
              .statement(
                "INSERT INTO rate_limits (key, tat) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET tat = excluded.tat",
              )
              .run(input.key, taken.tat);
            if (++connection.rateLimitsSincePrune >= RATE_LIMIT_PRUNE_EVERY) prune(input.now.getTime());
          }
          return taken;
        });
        return ok(
          step.allowed
            ? { allowed: true, retryAfterMs: 0 }
            : { allowed: false, retryAfterMs: step.retryAfterMs },
        );
      }),
  };
}
