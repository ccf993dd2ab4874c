import type { Endpoint, EndpointStore, Page, PageRequest, StorageError } from "@acme-endpoints/core";
import {
  checkPageLimit,
  decodeEndpointCursor,
  encodeEndpointCursor,
  invalidCursor,
} from "@acme-endpoints/core";
import type { Result } from "neverthrow";
import { err, ok } from "neverthrow";
import type { Connection, Runner } from "./connection.js";
import { updateConflict } from "./errors.js";
import { decode, decodeRow, encode, nextVersion } from "./records.js";

export function createEndpointStore(connection: Connection, runner: Runner): EndpointStore {
  const find = (id: string) =>
    decodeRow<Endpoint>(connection.statement("SELECT data FROM endpoints WHERE id = ?").get(id));

  return {
    // The primary key and the UNIQUE idempotency token answer the conflicts.
    insert: (endpoint) =>
      runner.run(`inserting endpoint ${endpoint.id}`, () => {
        const data = encode(endpoint);
        connection
          .statement(
            "INSERT INTO endpoints (id, created_at, idempotency_token, version, data) VALUES (?, ?, ?, ?, ?)",
          )
          .run(endpoint.id, endpoint.createdAt, endpoint.idempotency?.token ?? null, endpoint.version, data);
        return ok(decode<Endpoint>(data));
      }),

    get: (id) => runner.run("reading an endpoint", () => ok(find(id))),

    getByIdempotencyToken: (token) =>
      runner.run("reading an endpoint by idempotency token", () =>
        ok(
          decodeRow<Endpoint>(
            connection.statement("SELECT data FROM endpoints WHERE idempotency_token = ?").get(token),
          ),
        ),
      ),

    list: (page) => runner.run("listing endpoints", () => listEndpoints(connection, page)),

    // The token is part of the condition: an update cannot change it (nor take another's).
    update: (endpoint) =>
      runner.run(`updating endpoint ${endpoint.id}`, () => {
        const next = nextVersion(endpoint);
        const data = encode(next);
        const { changes } = connection
          .statement(
            "UPDATE endpoints SET created_at = ?, version = ?, data = ? WHERE id = ? AND version = ? AND idempotency_token IS ?",
          )
          .run(
            next.createdAt,
            next.version,
            data,
            endpoint.id,
            endpoint.version,
            endpoint.idempotency?.token ?? null,
          );
        if (changes === 0) return err(updateConflict("endpoint", endpoint.id, find(endpoint.id), endpoint));
        return ok(decode<Endpoint>(data));
      }),

    // Everything scoped to the endpoint goes; its certificates stay, marked, one version on.
    delete: (id) =>
      runner.run(`deleting endpoint ${id}`, () =>
        ok(
          connection.atomically(() => {
            const { changes } = connection.statement("DELETE FROM endpoints WHERE id = ?").run(id);
            for (const table of SCOPED_TABLES) {
              connection.statement(`DELETE FROM ${table} WHERE endpoint_id = ?`).run(id);
            }
            if (changes > 0) {
              connection
                .statement(
                  `UPDATE certificates
                     SET version = version + 1,
                         data = json_set(data, '$.endpointDeleted', json('true'), '$.version', version + 1)
                   WHERE endpoint_id = ? AND json_extract(data, '$.endpointDeleted') IS NOT 1`,
                )
                .run(id);
            }
            return changes > 0;
          }),
        ),
      ),
  };
}

const SCOPED_TABLES = [
  "domain_validations",
  "external_account_keys",
  "accounts",
  "orders",
  "authorizations",
  "nonces",
] as const;

/** Keyset paging by (createdAt, id): a cursor stays right when endpoints before it come and go. */
function listEndpoints(connection: Connection, page: PageRequest): Result<Page<Endpoint>, StorageError> {
  return checkPageLimit(page.limit).andThen((limit) => {
    let rows: Record<string, unknown>[];
    if (page.after === undefined) {
      rows = connection
        .statement("SELECT data FROM endpoints ORDER BY created_at, id LIMIT ?")
        .all(limit + 1);
    } else {
      const key = decodeEndpointCursor(page.after);
      if (key === undefined) return err(invalidCursor(page.after));
      rows = connection
        .statement(
          "SELECT data FROM endpoints WHERE (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?",
        )
        .all(key.createdAt, key.id, limit + 1);
    }
    const items = rows.slice(0, limit).map((row) => decode<Endpoint>(row.data));
    const last = items.at(-1);
    return ok(
      rows.length > limit && last !== undefined ? { items, next: encodeEndpointCursor(last) } : { items },
    );
  });
}
