import type { Authorization, AuthorizationStore } from "@acme-endpoints/core";
import { err, ok } from "neverthrow";
import type { Connection, Runner } from "./connection.js";
import { updateConflict } from "./errors.js";
import { decode, decodeRow, encode, nextVersion } from "./records.js";

export function createAuthorizationStore(connection: Connection, runner: Runner): AuthorizationStore {
  const find = (endpointId: string, id: string) =>
    decodeRow<Authorization>(
      connection
        .statement("SELECT data FROM authorizations WHERE endpoint_id = ? AND id = ?")
        .get(endpointId, id),
    );

  return {
    insert: (authorization) =>
      runner.run(`inserting authorization ${authorization.id}`, () => {
        const data = encode(authorization);
        connection
          .statement("INSERT INTO authorizations (endpoint_id, id, version, data) VALUES (?, ?, ?, ?)")
          .run(authorization.endpointId, authorization.id, authorization.version, data);
        return ok(decode<Authorization>(data));
      }),

    get: (endpointId, id) => runner.run("reading an authorization", () => ok(find(endpointId, id))),

    update: (authorization) =>
      runner.run(`updating authorization ${authorization.id}`, () => {
        const next = nextVersion(authorization);
        const data = encode(next);
        const { changes } = connection
          .statement(
            "UPDATE authorizations SET version = ?, data = ? WHERE endpoint_id = ? AND id = ? AND version = ?",
          )
          .run(next.version, data, authorization.endpointId, authorization.id, authorization.version);
        if (changes === 0) {
          const stored = find(authorization.endpointId, authorization.id);
          return err(updateConflict("authorization", authorization.id, stored, authorization));
        }
        return ok(decode<Authorization>(data));
      }),
  };
}
