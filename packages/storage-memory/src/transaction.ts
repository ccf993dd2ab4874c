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
  return new ResultAsync(settle(state, mutex, work));
}

/** Never rejects: whatever goes wrong becomes an err. */
async function settle<T, E>(
  state: MemoryState,
  mutex: Mutex,
  work: (tx: AcmeStores) => ResultAsync<T, E>,
): Promise<Result<T, E | StorageError>> {
  const turn = mutex.acquire();
  if (turn !== undefined) await turn;
  const log = new UndoLog();
  try {
    let result: Result<T, E | StorageError>;
    try {
      result = await work(createStores(state, log));
    } catch (cause) {
      result = err(failure("the transaction's work threw", cause));
    }
    log.end(result.isErr());
    return result;
  } catch (cause) {
    return err(failure("the transaction could not be rolled back", cause));
  } finally {
    mutex.release();
  }
}
