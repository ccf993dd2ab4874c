import type { StorageError, StorageResult } from "@acme-endpoints/core";
import type { Result } from "neverthrow";
import { err, ok, ResultAsync } from "neverthrow";

/**
 * Where a store reports how to undo each of its writes. Outside a transaction nothing is kept;
 * inside one, the transaction replays the undos, newest first, when its work fails.
 */
export interface Journal {
  /** False once the transaction the stores belong to has ended: they then refuse to work. */
  readonly open: boolean;
  /**
   * Whether `record` keeps anything: false outside a transaction, where stores skip making the
   * undo at all (most writes, every nonce among them, happen there).
   */
  readonly keeps: boolean;
  record(undo: () => void): void;
}

/** The journal of the storage's own (non-transactional) stores: writes are final at once. */
export const noJournal: Journal = { open: true, keeps: false, record: () => {} };

export class UndoLog implements Journal {
  open = true;
  readonly keeps = true;
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

/**
 * The way every store writes: `place(holder, previous, next)` moves a record in the holder's maps
 * and indexes (either way, so the same function undoes it), and inside a transaction the move
 * back is journaled.
 */
export function placeJournaled<H, R>(
  journal: Journal,
  place: (holder: H, previous: R | undefined, next: R | undefined) => void,
  holder: H,
  previous: R | undefined,
  next: R | undefined,
): void {
  place(holder, previous, next);
  if (journal.keeps) journal.record(() => place(holder, next, previous));
}

export function conflict(message: string): StorageError {
  return { type: "conflict", message };
}

export function failure(message: string, cause?: unknown): StorageError {
  return cause === undefined ? { type: "failure", message } : { type: "failure", message, cause };
}

/**
 * The answers most operations give (a nonce stored, a count kept, a nonce found or not), each
 * made once: an operation that answers one of them allocates nothing for its answer. Frozen,
 * as they are handed to every caller.
 */
export const OK_VOID: Result<undefined, never> = Object.freeze(ok(undefined));
export const OK_TRUE: Result<boolean, never> = Object.freeze(ok(true));
export const OK_FALSE: Result<boolean, never> = Object.freeze(ok(false));
const SETTLED_VOID = new ResultAsync<undefined, never>(Promise.resolve(OK_VOID));
const SETTLED_TRUE = new ResultAsync<boolean, never>(Promise.resolve(OK_TRUE));
const SETTLED_FALSE = new ResultAsync<boolean, never>(Promise.resolve(OK_FALSE));

/**
 * `result`, settled: the Result itself is what the promise holds (okAsync would wrap its value
 * in a second Ok). The shared answers above come back as one shared, settled ResultAsync each:
 * a ResultAsync is immutable, so any number of callers may await or chain the same one.
 */
export function settled<T>(result: Result<T, StorageError>): StorageResult<T> {
  const shared: unknown = result;
  if (shared === OK_VOID) return SETTLED_VOID as unknown as StorageResult<T>;
  if (shared === OK_TRUE) return SETTLED_TRUE as unknown as StorageResult<T>;
  if (shared === OK_FALSE) return SETTLED_FALSE as unknown as StorageResult<T>;
  return new ResultAsync(Promise.resolve(result));
}

/** `OK_TRUE` or `OK_FALSE`. */
export function okBoolean(value: boolean): Result<boolean, never> {
  return value ? OK_TRUE : OK_FALSE;
}

/**
 * Runs one store operation to completion before returning, so that its check and its write happen
 * in one turn of the event loop: that is what makes a versioned update, a uniqueness check or a
 * nonce consume atomic here. Never throws: a bug inside answers a `failure`.
 */
export function perform<T>(journal: Journal, operation: () => Result<T, StorageError>): StorageResult<T> {
  if (!journal.open) return ended();
  try {
    return settled(operation());
  } catch (cause) {
    return settled(err(failure("the memory storage failed", cause)));
  }
}

/**
 * A read's answer: what it found, settled (a find of nothing answers the shared `OK_VOID`).
 * Reads of the maps cannot throw, so they need neither `perform`'s try nor its closure; they
 * are refused, like everything, once the transaction has ended.
 */
export function found<T>(journal: Journal, value: T): StorageResult<T> {
  if (!journal.open) return ended();
  return settled(value === undefined ? (OK_VOID as Result<T, never>) : ok(value));
}

/**
 * The answer to the last read of a record, kept: every ACME request reads its endpoint and its
 * account, so the same records are read over and over, and each read of one answers the same
 * settled ResultAsync (its Result frozen, as every such reader gets it) instead of a new one.
 */
export class LastRead<T extends object> {
  #record: T | undefined;
  #answer: StorageResult<T | undefined> | undefined;

  answer(journal: Journal, record: T | undefined): StorageResult<T | undefined> {
    if (record === undefined || !journal.open) return found(journal, record);
    if (record !== this.#record) {
      this.#record = record;
      this.#answer = settled(Object.freeze(ok(record)) as Result<T | undefined, never>);
    }
    return this.#answer as StorageResult<T | undefined>;
  }
}

function ended(): StorageResult<never> {
  return settled(err(failure("this transaction has ended; its stores can no longer be used")));
}

/** The port rule, under the name the stores use. */
export { versionConflict as updateConflict } from "@acme-endpoints/core";
