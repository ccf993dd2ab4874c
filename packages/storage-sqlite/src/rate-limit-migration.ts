import type { Migration } from "./migrations.js";

/**
 * The shared rate limiter's state (issue 5): one GCRA theoretical arrival time per key. REAL,
 * since `windowMs / count` need not be a whole number of milliseconds. The index on `tat` keeps
 * pruning passed keys a range scan.
 */
export const RATE_LIMIT_MIGRATION: Migration = {
  version: 3,
  description: "rate limits shared by every instance on the file (GCRA tat per key)",
  sql: `
    CREATE TABLE rate_limits (
      key TEXT PRIMARY KEY,
      tat REAL NOT NULL
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX rate_limits_by_tat ON rate_limits (tat);
  `,
};
