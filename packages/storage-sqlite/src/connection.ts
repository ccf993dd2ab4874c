import type { StorageError, StorageResult } from "@acme-endpoints/core";
import type Database from "better-sqlite3";
import type { Result } from "neverthrow";
import { err, errAsync, okAsync, ResultAsync } from "neverthrow";
import { failure, fromSqlite } from "./errors.js";
import { Gate } from "./gate.js";

/** A statement whose parameters are positional and whose rows are plain objects. */
export type Statement = Database.Statement<unknown[], Record<string, unknown>>;

/**
 * The one better-sqlite3 connection a storage shares, its prepared statements, and the gate
 * transactions hold it by. better-sqlite3 is synchronous: a statement runs to completion before
 * any other JavaScript does, so nothing of this process can interleave within one operation.
 */
export class Connection {
  readonly gate = new Gate();
  readonly #statements = new Map<string, Statement>();
  /** The latest `now` a nonce consume was asked about: nonces that expired before it are pruned. */
  latestNow = 0;
  noncesSincePrune = 0;
  rateLimitsSincePrune = 0;
  /** Set by the storage's `close()`: from then on every operation answers a failure. */
  closed = false;

  constructor(readonly db: Database.Database) {}

  /** The prepared statement for `sql`, prepared once per connection. */
  statement(sql: string): Statement {
    let prepared = this.#statements.get(sql);
    if (prepared === undefined) {
      prepared = this.db.prepare<unknown[], Record<string, unknown>>(sql);
      this.#statements.set(sql, prepared);
    }
    return prepared;
  }

  /**
   * Runs `body` so that its statements land together: its own BEGIN IMMEDIATE … COMMIT when
   * alone, a SAVEPOINT when inside a transaction (better-sqlite3 picks). For the few operations
   * that take more than one statement (an endpoint delete).
   */
  atomically<T>(body: () => T): T {
    return this.db.transaction(body).immediate();
  }
}

/** How the stores run one operation: see `rootRunner` and `TransactionRunner`. */
export interface Runner {
  /**
   * Runs `operation` (synchronous SQLite work) and answers its result; a thrown error becomes
   * a `conflict` or `failure` (`fromSqlite`, with `doing` in its message). Never rejects.
   */
  run<T>(doing: string, operation: () => Result<T, StorageError>): StorageResult<T>;
}

function attempt<T>(doing: string, operation: () => Result<T, StorageError>): Result<T, StorageError> {
  try {
    return operation();
  } catch (cause) {
    return err(fromSqlite(cause, doing));
  }
}

function lift<T>(result: Result<T, StorageError>): StorageResult<T> {
  return result.isOk() ? okAsync(result.value) : errAsync(result.error);
}

export const closedFailure = (): StorageError => failure("this SQLite storage is closed");

/**
 * The storage's own stores: an operation runs at once, unless a transaction holds (or waits for)
 * the connection; then it queues behind it, so that it neither joins that transaction (and goes
 * with its rollback) nor sees its uncommitted writes.
 */
export function rootRunner(connection: Connection): Runner {
  return {
    run: (doing, operation) => {
      if (connection.closed) return errAsync(closedFailure());
      if (!connection.gate.busy) return lift(attempt(doing, operation));
      return new ResultAsync(
        connection.gate.acquire().then((release) => {
          try {
            return connection.closed ? err(closedFailure()) : attempt(doing, operation);
          } finally {
            release();
          }
        }),
      );
    },
  };
}

/**
 * The stores a transaction's work gets: operations run at once, inside the transaction's
 * BEGIN … COMMIT. They refuse to run once the transaction has ended, and once SQLite itself has
 * rolled it back (SQLITE_FULL, SQLITE_IOERR… may do so): a statement run then would be
 * committed on its own, outside the transaction.
 */
export class TransactionRunner implements Runner {
  #open = true;
  #failed = false;

  constructor(private readonly connection: Connection) {}

  end(): void {
    this.#open = false;
  }

  /**
   * Whether a statement failed (SQLITE_FULL, SQLITE_IOERR…). SQLite then rolls back either the
   * whole transaction or only that statement (it does the latter when the statement has a
   * statement journal: triggers, several indexes), so after a failure nothing more of the
   * transaction may run, nor may it commit.
   */
  get failed(): boolean {
    return this.#failed;
  }

  run<T>(doing: string, operation: () => Result<T, StorageError>): StorageResult<T> {
    if (!this.#open) {
      return errAsync(failure("this transaction has ended; its stores can no longer be used"));
    }
    if (!this.connection.db.inTransaction) {
      return errAsync(
        failure("SQLite rolled this transaction back after an earlier error; nothing of it was kept"),
      );
    }
    if (this.#failed) {
      return errAsync(failure("an earlier statement of this transaction failed; nothing of it will be kept"));
    }
    const result = attempt(doing, operation);
    if (result.isErr() && result.error.type === "failure") this.#failed = true;
    return lift(result);
  }
}
