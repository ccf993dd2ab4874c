export type { SqliteStorageError, SqliteStorageErrorCode } from "./errors.js";
export type { Migration } from "./migrations.js";
export { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from "./migrations.js";
export type { SqliteStorage, SqliteStorageOptions, SqliteStorageSettings } from "./sqlite-storage.js";
export { createSqliteStorage, DEFAULT_BUSY_TIMEOUT_MS } from "./sqlite-storage.js";
