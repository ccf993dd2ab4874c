import type { AcmeStores, StorageError } from "@acme-endpoints/core";
import type { Result } from "neverthrow";
import { err, ResultAsync } from "neverthrow";
import type { Connection } from "./connection.js";
import { closedFailure, TransactionRunner } from "./connection.js";
import { failure, fromSqlite } from "./errors.js";
import { createStores } from "./stores.js";

/**
 * Transactions take turns on the connection (its gate), each as BEGIN IMMEDIATE … COMMIT, or
 * ROLLBACK when the work answers err, throws or rejects. IMMEDIATE takes SQLite's write lock at
 * BEGIN: another process's transaction on the same file waits for it (up to the busy timeout)
 * instead of failing halfway through, and a read at the start of the work (is the order still
 * `ready`?) stays true until COMMIT. The storage's own stores queue behind a running
 * transaction; a work that calls them (or `storage.transaction`) instead of its `tx` waits for
 * itself forever.
 */
export function runTransaction<T, E>(
  connection: Connection,
  work: (tx: AcmeStores) => ResultAsync<T, E>,
): ResultAsync<T, E | StorageError> {
  return new ResultAsync(settle(connection, work));
}

/** Never rejects: whatever goes wrong becomes an err, and the connection is left outside any transaction. */
async function settle<T, E>(
  connection: Connection,
  work: (tx: AcmeStores) => ResultAsync<T, E>,
): Promise<Result<T, E | StorageError>> {
  const release = await connection.gate.acquire();
  if (connection.closed) {
    release();
    return err(closedFailure());
  }
  try {
    connection.statement("BEGIN IMMEDIATE").run();
  } catch (cause) {
    release();
    return err(fromSqlite(cause, "starting a transaction"));
  }
  const runner = new TransactionRunner(connection);
  try {
    let result: Result<T, E | StorageError>;
    try {
      result = await work(createStores(connection, runner));
    } catch (cause) {
      result = err(failure("the transaction's work threw", cause));
    }
    runner.end();
    if (result.isErr()) return result;
    // SQLite may have rolled back by itself (SQLITE_FULL, SQLITE_IOERR) under a work that then
    // carried on and answered ok: there is nothing left to commit. Or it rolled back only the
    // failed statement: committing the rest would keep half of the work.
    if (!connection.db.inTransaction || runner.failed) {
      return err(failure("SQLite rolled the transaction back after an error; nothing of it was kept"));
    }
    connection.statement("COMMIT").run();
    return result;
  } catch (cause) {
    return err(fromSqlite(cause, "committing a transaction"));
  } finally {
    runner.end();
    rollbackIfOpen(connection);
    release();
  }
}

function rollbackIfOpen(connection: Connection): void {
  // Twice at most: a ROLLBACK that fails (an I/O error) must not leave every later single
  // operation of this storage inside a transaction nobody will end.
  for (let attempt = 0; attempt < 2 && connection.db.open && connection.db.inTransaction; attempt++) {
    try {
      connection.statement("ROLLBACK").run();
    } catch {
      // retried once; SQLite rolls back a hot transaction itself when the connection closes
    }
  }
}
