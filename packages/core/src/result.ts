import { type Result, ResultAsync } from "neverthrow";

/**
 * A ResultAsync from an async function that awaits Results and returns the first err it meets:
 * what neverthrow's `safeTry` does, for the per-request hot path. safeTry drives async
 * generators that neverthrow ships downlevelled to ES2017 helpers, ~4 µs per `yield*` against
 * ~0.3 µs per `await` (measured here: a 5-step body 21 µs vs 1.7 µs), and one issuance runs
 * ~40 such steps. Like safeTry, an exception inside is a bug and rejects (handle.ts answers
 * serverInternal).
 */
export function attempt<T, E>(body: () => Promise<Result<T, E>>): ResultAsync<T, E> {
  return new ResultAsync(body());
}
