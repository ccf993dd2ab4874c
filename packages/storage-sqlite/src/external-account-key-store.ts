import type { ExternalAccountKey, ExternalAccountKeyStore } from "@acme-endpoints/core";
import { err, ok } from "neverthrow";
import type { Connection, Runner } from "./connection.js";
import { updateConflict } from "./errors.js";
import { decode, decodeRow, encode, nextVersion } from "./records.js";

export function createExternalAccountKeyStore(
  connection: Connection,
  runner: Runner,
): ExternalAccountKeyStore {
  const find = (endpointId: string, keyId: string) =>
    decodeRow<ExternalAccountKey>(
      connection
        .statement("SELECT data FROM external_account_keys WHERE endpoint_id = ? AND key_id = ?")
        .get(endpointId, keyId),
    );

  return {
    insert: (key) =>
      runner.run(`inserting external account key ${key.keyId}`, () => {
        const data = encode(key);
        connection
          .statement(
            "INSERT INTO external_account_keys (endpoint_id, key_id, version, data) VALUES (?, ?, ?, ?)",
          )
          .run(key.endpointId, key.keyId, key.version, data);
        return ok(decode<ExternalAccountKey>(data));
      }),

    get: (endpointId, keyId) =>
      runner.run("reading an external account key", () => ok(find(endpointId, keyId))),

    listByEndpoint: (endpointId) =>
      runner.run("listing external account keys", () =>
        ok(
          connection
            .statement(
              "SELECT data FROM external_account_keys WHERE endpoint_id = ? ORDER BY endpoint_id, key_id",
            )
            .all(endpointId)
            .map((row) => decode<ExternalAccountKey>(row.data)),
        ),
      ),

    update: (key) =>
      runner.run(`updating external account key ${key.keyId}`, () => {
        const next = nextVersion(key);
        const data = encode(next);
        const { changes } = connection
          .statement(
            "UPDATE external_account_keys SET version = ?, data = ? WHERE endpoint_id = ? AND key_id = ? AND version = ?",
          )
          .run(next.version, data, key.endpointId, key.keyId, key.version);
        if (changes === 0) {
          return err(updateConflict("external account key", key.keyId, find(key.endpointId, key.keyId), key));
        }
        return ok(decode<ExternalAccountKey>(data));
      }),
  };
}
