import type { AcmeStorage } from "@acme-endpoints/core";
import { err, type Result } from "neverthrow";

/**
 * PLACEHOLDER. SQLite storage is not implemented yet; this package exists so the workspace has
 * its final shape. It answers an error rather than pretending to store anything.
 */
export function createSqliteStorage(_options: { readonly filename: string }): Result<AcmeStorage, Error> {
  return err(
    new Error("@acme-endpoints/storage-sqlite is not implemented yet: use @acme-endpoints/storage-memory."),
  );
}
