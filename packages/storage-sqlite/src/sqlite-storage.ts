import type { AcmeStorage } from "@acme-endpoints/core";
import Database from "better-sqlite3";
import type { Result } from "neverthrow";
import { err, ok } from "neverthrow";
import { Connection, rootRunner } from "./connection.js";
import type { SqliteStorageError } from "./errors.js";
import { messageOf, openError } from "./errors.js";
import { checkSchema, migrate, SCHEMA_VERSION } from "./migrations.js";
import { createStores } from "./stores.js";
import { runTransaction } from "./transaction.js";

export interface SqliteStorageSettings {
  /**
   * When SQLite makes a commit durable. `"NORMAL"` (the default) in WAL mode loses no committed
   * transaction when the process crashes or is killed (SIGKILL): the commit is in the WAL, in the
   * operating system's cache. Only an operating-system crash or a power loss before the next
   * checkpoint may lose the last transactions (never corrupting the database). `"FULL"` syncs the
   * WAL to disk at every commit: nothing committed is lost even then, at the cost of an fsync
   * per write.
   */
  readonly synchronous?: "NORMAL" | "FULL";
  /**
   * How long a write waits for another process's write lock before it fails with a `failure`
   * (SQLITE_BUSY); default 5000 ms. The wait blocks this process's event loop (better-sqlite3 is
   * synchronous), which is why two storages over one file inside ONE process are a bad idea.
   */
  readonly busyTimeoutMs?: number;
}

/** A database file to open (created when missing), or a better-sqlite3 connection you opened. */
export type SqliteStorageOptions = SqliteStorageSettings &
  (
    | {
        readonly filename: string;
        /** Opens the file read-only: reads work, every write answers a `failure`. */
        readonly readonly?: boolean;
      }
    | { readonly database: Database.Database }
  );

export interface SqliteStorage extends AcmeStorage {
  /**
   * The connection, for backups (`database.backup(…)`) and inspection. Writing through it
   * bypasses the storage's rules; never run a statement on it while a transaction is open.
   */
  readonly database: Database.Database;
  /**
   * Waits for the running and queued transactions, then closes the connection if the storage
   * opened it from `filename` (a `database` you passed in stays open, yours to close). Later
   * operations of the storage answer a `failure`.
   */
  close(): Promise<void>;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/**
 * WAL pages between automatic checkpoints (SQLite's default is 1000). A checkpoint copies the
 * WAL back into the database file and syncs both, blocking the event loop while it does: each
 * ACME flow writes a few dozen WAL pages, so at 1000 it ran every ~30 flows and cost more than
 * all the statements. At 8000 (a WAL of up to 32 MiB) it runs an eighth as often, and pages
 * written many times over (nonces, indexes) are copied once per checkpoint.
 */
const WAL_AUTOCHECKPOINT_PAGES = 8000;
/** After a checkpoint, a WAL grown past this (a burst, a long reader) is truncated back. */
const JOURNAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * Storage in one SQLite file through better-sqlite3: WAL mode, the schema migrated forward at
 * open (in one transaction; a newer schema than this package knows is refused, untouched), and
 * every uniqueness and concurrency rule of the port enforced by SQLite itself, so that they
 * hold across processes sharing the file, not only within one. Answers an error instead of
 * throwing when the file cannot be opened or migrated.
 *
 * @example
 * ```ts
 * const opened = createSqliteStorage({ filename: "./data/acme.sqlite" });
 * if (opened.isErr()) throw new Error(opened.error.message); // typed: opened.error.code
 * const storage = opened.value;
 * const server = createAcmeServer({
 *   storage,
 *   certificateAuthority: createLocalCertificateAuthority({ store: storage.caMaterials }),
 *   baseUrl: "https://acme.example.com/acme",
 * });
 * ```
 */
export function createSqliteStorage(
  options: SqliteStorageOptions,
): Result<SqliteStorage, SqliteStorageError> {
  let db: Database.Database;
  const owned = !("database" in options);
  if ("database" in options) {
    db = options.database;
  } else {
    try {
      db = new Database(options.filename, { readonly: options.readonly ?? false });
    } catch (cause) {
      return err(
        openError(
          "OpenFailed",
          `cannot open SQLite database ${options.filename}: ${messageOf(cause)}`,
          cause,
        ),
      );
    }
  }
  const label = `SQLite database ${db.name}`;
  const prepared = prepare(db, options, label);
  if (prepared.isErr()) {
    if (owned) closeQuietly(db);
    return err(prepared.error);
  }
  return ok(storageOver(db, owned));
}

/** Settings first, then the schema check (header reads only), WAL, and the migration. */
function prepare(
  db: Database.Database,
  settings: SqliteStorageSettings,
  label: string,
): Result<void, SqliteStorageError> {
  if (!db.open) return err(openError("OpenFailed", `${label} is closed`));
  const busyTimeoutMs = settings.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const synchronous = settings.synchronous ?? "NORMAL";
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    return err(openError("OpenFailed", `busyTimeoutMs must be a whole number of ms, not ${busyTimeoutMs}`));
  }
  if (synchronous !== "NORMAL" && synchronous !== "FULL") {
    return err(openError("OpenFailed", `synchronous must be "NORMAL" or "FULL", not ${String(synchronous)}`));
  }
  try {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  } catch (cause) {
    return err(openError("OpenFailed", `cannot use ${label}: ${messageOf(cause)}`, cause));
  }
  return checkSchema(db, label).andThen((mark) => {
    try {
      // WAL: readers never wait for the writer, and a commit is one append to the WAL.
      // (An in-memory database has no WAL and keeps its "memory" journal.)
      const mode = String(db.pragma("journal_mode = WAL", { simple: true }));
      if (mode !== "wal" && !db.memory) {
        return err(openError("OpenFailed", `${label} cannot be put in WAL mode (journal_mode is ${mode})`));
      }
      db.pragma(`synchronous = ${synchronous}`);
      db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
      db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT_BYTES}`);
      // Sorts and other scratch b-trees in memory, never in a temporary file.
      db.pragma("temp_store = MEMORY");
    } catch (cause) {
      return err(openError("OpenFailed", `cannot set up ${label}: ${messageOf(cause)}`, cause));
    }
    return mark.version < SCHEMA_VERSION ? migrate(db, label).map(() => undefined) : ok(undefined);
  });
}

function storageOver(db: Database.Database, owned: boolean): SqliteStorage {
  const connection = new Connection(db);
  let closing: Promise<void> | undefined;
  return {
    ...createStores(connection, rootRunner(connection)),
    transaction: (work) => runTransaction(connection, work),
    database: db,
    close: () => {
      closing ??= connection.gate.acquire().then((release) => {
        try {
          connection.closed = true;
          if (owned) closeQuietly(db);
        } finally {
          release();
        }
      });
      return closing;
    },
  };
}

function closeQuietly(db: Database.Database): void {
  try {
    if (db.open) db.close();
  } catch {
    // closing is best effort; SQLite recovers a file from its WAL at the next open
  }
}
