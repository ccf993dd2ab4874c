import type { RateLimitStore, RateLimitTaken } from "@acme-endpoints/core";
import { gcraStep, rateLimitTakeProblem } from "@acme-endpoints/core";
import type { Result } from "neverthrow";
import { err, ok } from "neverthrow";
import type { Journal } from "./journal.js";
import { perform } from "./journal.js";

/**
 * key → theoretical arrival time (epoch ms); insertion order is touch order, oldest first. The
 * prune counter lives here too, so a transaction's stores count towards the same prune.
 */
export interface RateLimitTats {
  readonly tats: Map<string, number>;
  sincePrune: number;
}

/** Every this many takes, a bounded prune of keys whose `tat` has passed. */
const PRUNE_EVERY = 100;
/** The most keys one prune looks at: a take never pays for the whole map. */
const PRUNE_SCAN = 1_000;

/**
 * Keys are re-inserted on every allowed take, so the longest-untouched (likeliest passed) come
 * first. Pruning is not undone by a rollback: a passed key is as good as absent.
 */
function prune(tats: Map<string, number>, now: number): void {
  let scanned = 0;
  for (const [key, tat] of tats) {
    if (++scanned > PRUNE_SCAN) break;
    if (tat <= now) tats.delete(key);
  }
}

function set(tats: Map<string, number>, key: string, tat: number | undefined): void {
  tats.delete(key);
  if (tat !== undefined) tats.set(key, tat);
}

/** Every allowed take answers the same: one frozen answer, shared. */
const ALLOWED: Result<RateLimitTaken, never> = Object.freeze(
  ok(Object.freeze({ allowed: true, retryAfterMs: 0 })),
);

/** A take is synchronous (check and write in one turn of the event loop): atomic per key. */
export function createRateLimitStore(state: RateLimitTats, journal: Journal): RateLimitStore {
  const { tats } = state;
  // A method, not an arrow-valued property (see order-store.ts).
  return {
    take(input) {
      return perform(journal, () => {
        const problem = rateLimitTakeProblem(input);
        if (problem !== undefined) return err(problem);
        const previous = tats.get(input.key);
        const step = gcraStep(previous, input);
        if (!step.allowed) return ok({ allowed: false, retryAfterMs: step.retryAfterMs });
        set(tats, input.key, step.tat);
        if (journal.keeps) journal.record(() => set(tats, input.key, previous));
        if (++state.sincePrune >= PRUNE_EVERY) {
          state.sincePrune = 0;
          prune(tats, input.now.getTime());
        }
        return ALLOWED;
      });
    },
  };
}
