import type { StorageError } from "@acme-endpoints/core";

/**
 * Why `createSqliteStorage` could not give a storage:
 * - `OpenFailed`: the file could not be opened or is not a SQLite database (missing directory,
 *   permissions, corruption), or its settings (WAL, busy timeout) could not be applied;
 * - `SchemaTooNew`: the database was migrated by a newer version of this package; it is left
 *   exactly as it was (upgrade the package, never downgrade the schema);
 * - `ForeignDatabase`: the database belongs to another application (its `application_id` or
 *   `user_version` is set but not by this package); nothing is changed in it;
 * - `MigrationFailed`: bringing the schema up to date failed (read-only file, disk full); the
 *   migration ran in one transaction, so the database is as it was before.
 */
export type SqliteStorageErrorCode = "OpenFailed" | "SchemaTooNew" | "ForeignDatabase" | "MigrationFailed";

export interface SqliteStorageError {
  readonly code: SqliteStorageErrorCode;
  readonly message: string;
  readonly cause?: unknown;
}

export function openError(
  code: SqliteStorageErrorCode,
  message: string,
  cause?: unknown,
): SqliteStorageError {
  return cause === undefined ? { code, message } : { code, message, cause };
}

export function conflict(message: string): StorageError {
  return { type: "conflict", message };
}

export function failure(message: string, cause?: unknown): StorageError {
  return cause === undefined ? { type: "failure", message } : { type: "failure", message, cause };
}

/** The SQLite result code (`SQLITE_CONSTRAINT_UNIQUE`, `SQLITE_FULL`…) of a thrown error, if any. */
export function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_") ? code : undefined;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * What a thrown error means to the port: a broken uniqueness rule is a `conflict` (the caller's
 * race, answered like a stale version); anything else (busy past the timeout, I/O error, disk
 * full, read-only database, closed connection) is a `failure` whose SQLite message goes to the
 * logs, never to ACME clients.
 */
export function fromSqlite(error: unknown, doing: string): StorageError {
  const code = sqliteCode(error);
  if (code?.startsWith("SQLITE_CONSTRAINT")) return conflict(`${doing}: ${messageOf(error)}`);
  return failure(`SQLite failed ${doing}: ${messageOf(error)}${code ? ` (${code})` : ""}`, error);
}

/** The port rule, under the name the stores use. */
export { versionConflict as updateConflict } from "@acme-endpoints/core";
