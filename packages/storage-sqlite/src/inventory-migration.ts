import type { Migration } from "./migrations.js";

/** A certificate record's identifier set as `identifierSetKey` (core) makes it, from its JSON. */
const identifierKeyOf = (data: string) => `(
  SELECT group_concat(v, ',' ORDER BY v) FROM (
    SELECT DISTINCT lower((value ->> '$.type') || ':' || (value ->> '$.value')) AS v
    FROM json_each(${data}, '$.identifiers')
  ))`;

/**
 * The certificates inventory and the issuance metrics (issue 7).
 *
 * `status` and `renewed_by` are virtual columns read from the JSON record, so no write path can
 * let them disagree with it; indexes over them make the inventory's listings range scans and
 * its summary an index-only scan. Renewal marking and the tag table are kept by triggers, in
 * the statement that inserts or updates a certificate: atomic, and true for every process on
 * the file.
 */
export const INVENTORY_MIGRATION: Migration = {
  version: 2,
  description: "certificates inventory (status, renewal, tags, expiry indexes) and issuance metric buckets",
  sql: `
    ALTER TABLE certificates ADD COLUMN status TEXT GENERATED ALWAYS AS (data ->> '$.status') VIRTUAL;
    ALTER TABLE certificates ADD COLUMN renewed_by TEXT GENERATED ALWAYS AS (data ->> '$.renewedBy') VIRTUAL;
    ALTER TABLE certificates ADD COLUMN identifier_key TEXT;
    UPDATE certificates SET identifier_key = ${identifierKeyOf("certificates.data")};

    CREATE INDEX certificates_by_identifiers ON certificates (endpoint_id, identifier_key);
    CREATE INDEX certificates_inventory ON certificates (endpoint_id, status, not_after, serial, renewed_by);
    CREATE INDEX certificates_by_expiry ON certificates (not_after, serial);
    CREATE INDEX certificates_status_expiry ON certificates (status, not_after, serial, renewed_by);

    CREATE TABLE certificate_tags (
      key TEXT NOT NULL,
      value TEXT NOT NULL,
      serial TEXT NOT NULL,
      PRIMARY KEY (key, value, serial)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX certificate_tags_by_serial ON certificate_tags (serial);
    INSERT OR IGNORE INTO certificate_tags (key, value, serial)
      SELECT t.value ->> '$.key', t.value ->> '$.value', c.serial FROM certificates c, json_each(c.data, '$.tags') t;

    -- A new certificate renews the older ones of its endpoint with the same identifier set.
    CREATE TRIGGER certificates_inventory_on_insert AFTER INSERT ON certificates BEGIN
      UPDATE certificates SET identifier_key = ${identifierKeyOf("NEW.data")} WHERE serial = NEW.serial;
      UPDATE certificates
         SET version = version + 1,
             data = json_set(data, '$.renewedBy', NEW.serial, '$.version', version + 1)
       WHERE endpoint_id = NEW.endpoint_id
         AND identifier_key = (SELECT identifier_key FROM certificates WHERE serial = NEW.serial)
         AND serial <> NEW.serial
         AND renewed_by IS NULL;
      INSERT OR IGNORE INTO certificate_tags (key, value, serial)
        SELECT value ->> '$.key', value ->> '$.value', NEW.serial FROM json_each(NEW.data, '$.tags');
    END;

    CREATE TRIGGER certificates_tags_on_update AFTER UPDATE OF data ON certificates
      WHEN (NEW.data -> '$.tags') IS NOT (OLD.data -> '$.tags') BEGIN
      DELETE FROM certificate_tags WHERE serial = OLD.serial;
      INSERT OR IGNORE INTO certificate_tags (key, value, serial)
        SELECT value ->> '$.key', value ->> '$.value', NEW.serial FROM json_each(NEW.data, '$.tags');
    END;

    -- Issuance counters: one row per endpoint, metric, period, bucket start and reason.
    CREATE TABLE metric_buckets (
      endpoint_id TEXT NOT NULL,
      metric TEXT NOT NULL,
      period INTEGER NOT NULL,
      start TEXT NOT NULL,
      reason TEXT NOT NULL,
      count INTEGER NOT NULL,
      PRIMARY KEY (endpoint_id, metric, period, start, reason)
    ) STRICT, WITHOUT ROWID;
  `,
};
