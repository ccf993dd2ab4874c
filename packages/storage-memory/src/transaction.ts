import type { AcmeStores, StorageError } from "@acme-endpoints/core";
import type { Result } from "neverthrow";
import { err, ResultAsync } from "neverthrow";
import { failure, UndoLog } from "./journal.js";
import type { Mutex } from "./mutex.js";
import type { MemoryState } from "./state.js";
import { createStores } from "./stores.js";

/**
 * Transactions take turns (`mutex`), each with its own stores that journal how to undo every
 * write; when the work answers err, throws or rejects, the journal is replayed, newest first.
 *
 * What this does not isolate: operations on the storage itself (not on `tx`) run at any time,
 * also while a transaction is between two awaits, and are never undone. A rollback restores the
 * records the transaction touched as they were before it, even if such an operation changed them
 * meanwhile. Good enough for one process that uses transactions for whole flows (finalize, key
 * change); a work calling `storage.transaction()` inside itself waits for itself forever.
 */
export function runTransaction<T, E>(
  state: MemoryState,
  mutex: Mutex,
  work: (tx: AcmeStores) => ResultAsync<T, E>,
): ResultAsync<T, E | StorageError> {
  const turn = mutex.acquire();
  // A free lock is taken at once: the work starts now, without waiting for a turn.
  return new ResultAsync(
    turn === undefined ? settle(state, mutex, work) : turn.then(() => settle(state, mutex, work)),
  );
}

/**
 * Runs the work with the lock held; never rejects: whatever goes wrong becomes an err. Written
 * with `then`, not as an async function: the work's ResultAsync is waited for with one reaction,
 * where an `await` of it would first wrap it in a promise of its own.
 */
function settle<T, E>(
  state: MemoryState,
  mutex: Mutex,
  work: (tx: AcmeStores) => ResultAsync<T, E>,
): Promise<Result<T, E | StorageError>> {
  const log = new UndoLog();
  let finished = false;
  // Once only, whatever a misbehaving thenable does: a second release would let two in.
  const finish = (result: Result<T, E | StorageError>) => {
    if (finished) return result;
    finished = true;
    return end(log, mutex, result);
  };
  try {
    const pending: unknown = work(createStores(state, log));
    // Anything but a thenable (a Result the types did not allow) is the work's answer as it is.
    if (typeof (pending as PromiseLike<unknown> | undefined)?.then !== "function") {
      return Promise.resolve(finish(pending as Result<T, E>));
    }
    // Promise.resolve hands back the promise `then` makes as it is (the type says PromiseLike).
    return Promise.resolve(
      (pending as PromiseLike<Result<T, E>>).then(finish, (cause: unknown) => finish(threw(cause))),
    );
  } catch (cause) {
    return Promise.resolve(finish(threw(cause)));
  }
}

function threw(cause: unknown): Result<never, StorageError> {
  return err(failure("the transaction's work threw", cause));
}

/** Commits or rolls back as `result` says, then lets the next transaction in. */
function end<T, E>(
  log: UndoLog,
  mutex: Mutex,
  result: Result<T, E | StorageError>,
): Result<T, E | StorageError> {
  try {
    log.end(result.isErr());
    return result;
  } catch (cause) {
    return err(failure("the transaction could not be rolled back", cause));
  } finally {
    mutex.release();
  }
}
