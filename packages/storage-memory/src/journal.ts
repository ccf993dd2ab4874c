import type { StorageError, StorageResult } from "@acme-endpoints/core";
import type { Result } from "neverthrow";
import { errAsync, okAsync } from "neverthrow";

/**
 * Where a store reports how to undo each of its writes. Outside a transaction nothing is kept;
 * inside one, the transaction replays the undos, newest first, when its work fails.
 */
export interface Journal {
  /** False once the transaction the stores belong to has ended: they then refuse to work. */
  readonly open: boolean;
  record(undo: () => void): void;
}

/** The journal of the storage's own (non-transactional) stores: writes are final at once. */
export const noJournal: Journal = { open: true, record: () => {} };

export class UndoLog implements Journal {
  open = true;
  readonly #undos: (() => void)[] = [];

  record(undo: () => void): void {
    this.#undos.push(undo);
  }

  /** Ends the transaction; with `rollback`, first undoes its writes, newest first. */
  end(rollback: boolean): void {
    this.open = false;
    if (rollback) for (let i = this.#undos.length - 1; i >= 0; i--) this.#undos[i]!();
    this.#undos.length = 0;
  }
}

export function conflict(message: string): StorageError {
  return { type: "conflict", message };
}

export function failure(message: string, cause?: unknown): StorageError {
  return cause === undefined ? { type: "failure", message } : { type: "failure", message, cause };
}

/**
 * Runs one store operation to completion before returning, so that its check and its write happen
 * in one turn of the event loop: that is what makes a versioned update, a uniqueness check or a
 * nonce consume atomic here. Never throws: a bug inside answers a `failure`.
 */
export function perform<T>(journal: Journal, operation: () => Result<T, StorageError>): StorageResult<T> {
  if (!journal.open) return errAsync(failure("this transaction has ended; its stores can no longer be used"));
  try {
    const result = operation();
    return result.isOk() ? okAsync(result.value) : errAsync(result.error);
  } catch (cause) {
    return errAsync(failure("the memory storage failed", cause));
  }
}

/** The port rule, under the name the stores use. */
export { versionConflict as updateConflict } from "@acme-endpoints/core";
