import type Database from "better-sqlite3";
import type { Result } from "neverthrow";
import { err, ok } from "neverthrow";
import type { SqliteStorageError } from "./errors.js";
import { messageOf, openError } from "./errors.js";
import { INVENTORY_MIGRATION } from "./inventory-migration.js";
import { RATE_LIMIT_MIGRATION } from "./rate-limit-migration.js";

/**
 * One step of the schema. Steps are forward-only and never edited once released: a change is a
 * new step. Each database records the last step applied in `PRAGMA user_version`, and this
 * package's mark in `PRAGMA application_id`.
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

/** "ACME" in ASCII: marks a database as this package's. */
export const APPLICATION_ID = 0x41434d45;

/*
 * Every record is kept whole as JSON in `data`; the other columns are the keys the port looks
 * records up by, and what the uniqueness rules (the port's `conflict`s) are enforced on. Each
 * b-tree costs a page write per insert, so the endpoint-scoped tables read by their primary key
 * are WITHOUT ROWID (one b-tree, not a table and its key index). Certificates (large rows) and
 * orders (listed in insertion order, `seq`) keep a rowid, as do the rarely written endpoints and
 * CA materials.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "endpoints and everything scoped to them, certificates, nonces, CA materials",
    sql: `
      CREATE TABLE endpoints (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        idempotency_token TEXT UNIQUE,
        version INTEGER NOT NULL,
        data TEXT NOT NULL
      ) STRICT;
      CREATE INDEX endpoints_by_creation ON endpoints (created_at, id);

      CREATE TABLE domain_validations (
        endpoint_id TEXT NOT NULL,
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (endpoint_id, id)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE external_account_keys (
        endpoint_id TEXT NOT NULL,
        key_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (endpoint_id, key_id)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE accounts (
        endpoint_id TEXT NOT NULL,
        id TEXT NOT NULL,
        thumbprint TEXT NOT NULL,
        version INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (endpoint_id, id),
        UNIQUE (endpoint_id, thumbprint)
      ) STRICT, WITHOUT ROWID;

      -- seq is insertion order, which is creation order: an account's orders page by it.
      CREATE TABLE orders (
        seq INTEGER PRIMARY KEY,
        endpoint_id TEXT NOT NULL,
        id TEXT NOT NULL,
        account_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        data TEXT NOT NULL,
        UNIQUE (endpoint_id, id)
      ) STRICT;
      CREATE INDEX orders_by_account ON orders (endpoint_id, account_id, seq);

      CREATE TABLE authorizations (
        endpoint_id TEXT NOT NULL,
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (endpoint_id, id)
      ) STRICT, WITHOUT ROWID;

      -- Not scoped: a deleted endpoint's certificates stay for the inventory, marked in data.
      CREATE TABLE certificates (
        serial TEXT PRIMARY KEY,
        endpoint_id TEXT NOT NULL,
        order_id TEXT NOT NULL,
        not_after TEXT NOT NULL,
        version INTEGER NOT NULL,
        data TEXT NOT NULL,
        UNIQUE (endpoint_id, order_id)
      ) STRICT;
      CREATE INDEX certificates_by_endpoint ON certificates (endpoint_id, not_after);

      -- The busiest table (an insert and a delete per request): no rowid b-tree to keep as well.
      CREATE TABLE nonces (
        endpoint_id TEXT NOT NULL,
        nonce TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (endpoint_id, nonce)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX nonces_by_expiry ON nonces (expires_at);

      CREATE TABLE ca_materials (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;
    `,
  },
  INVENTORY_MIGRATION,
  RATE_LIMIT_MIGRATION,
];

/** The schema version this package writes and reads. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

interface Mark {
  readonly applicationId: number;
  readonly version: number;
}

function readMark(db: Database.Database): Mark {
  return {
    applicationId: Number(db.pragma("application_id", { simple: true })),
    version: Number(db.pragma("user_version", { simple: true })),
  };
}

/**
 * Refuses, without writing anything, a database this package must not touch: another
 * application's, or one migrated by a newer version of this package (its data may be in shapes
 * this code would misread or destroy). Reads only the database header.
 */
export function checkSchema(db: Database.Database, label: string): Result<Mark, SqliteStorageError> {
  let mark: Mark;
  try {
    mark = readMark(db);
  } catch (cause) {
    return err(openError("OpenFailed", `cannot read ${label}: ${messageOf(cause)}`, cause));
  }
  return refusal(mark, label) ?? ok(mark);
}

function refusal(mark: Mark, label: string): Result<never, SqliteStorageError> | undefined {
  const ours = mark.applicationId === APPLICATION_ID;
  if (!ours && (mark.applicationId !== 0 || mark.version !== 0)) {
    return err(
      openError(
        "ForeignDatabase",
        `${label} is not an acme-endpoints database (application_id ${mark.applicationId}, user_version ${mark.version}); it was left untouched. Give the storage a database of its own.`,
      ),
    );
  }
  if (mark.version > SCHEMA_VERSION) {
    return err(
      openError(
        "SchemaTooNew",
        `${label} has schema version ${mark.version}, newer than the ${SCHEMA_VERSION} this @acme-endpoints/storage-sqlite knows: a newer version of the package migrated it. It was left untouched; upgrade the package (schemas are never downgraded).`,
      ),
    );
  }
  return undefined;
}

/**
 * Applies the missing steps in one IMMEDIATE transaction: all or none. The version is read
 * again under the write lock, so two processes opening one new file migrate it once.
 * Answers the version the database had.
 */
export function migrate(db: Database.Database, label: string): Result<number, SqliteStorageError> {
  try {
    return db
      .transaction((): Result<number, SqliteStorageError> => {
        const mark = readMark(db);
        const refused = refusal(mark, label);
        if (refused !== undefined) return refused;
        for (const step of MIGRATIONS) {
          if (step.version <= mark.version) continue;
          db.exec(step.sql);
          db.pragma(`user_version = ${step.version}`);
        }
        if (mark.version < SCHEMA_VERSION) db.pragma(`application_id = ${APPLICATION_ID}`);
        return ok(mark.version);
      })
      .immediate();
  } catch (cause) {
    return err(
      openError(
        "MigrationFailed",
        `migrating ${label} to schema version ${SCHEMA_VERSION} failed, and was rolled back: ${messageOf(cause)}`,
        cause,
      ),
    );
  }
}
