import type { DomainValidation, DomainValidationStore } from "@acme-endpoints/core";
import { err, ok } from "neverthrow";
import type { Connection, Runner } from "./connection.js";
import { updateConflict } from "./errors.js";
import { decode, decodeRow, encode, nextVersion } from "./records.js";

export function createDomainValidationStore(connection: Connection, runner: Runner): DomainValidationStore {
  const find = (endpointId: string, id: string) =>
    decodeRow<DomainValidation>(
      connection
        .statement("SELECT data FROM domain_validations WHERE endpoint_id = ? AND id = ?")
        .get(endpointId, id),
    );

  return {
    insert: (domain) =>
      runner.run(`inserting domain validation ${domain.id}`, () => {
        const data = encode(domain);
        connection
          .statement("INSERT INTO domain_validations (endpoint_id, id, version, data) VALUES (?, ?, ?, ?)")
          .run(domain.endpointId, domain.id, domain.version, data);
        return ok(decode<DomainValidation>(data));
      }),

    get: (endpointId, id) => runner.run("reading a domain validation", () => ok(find(endpointId, id))),

    // In primary key order, which needs no sort (the port leaves the order open).
    listByEndpoint: (endpointId) =>
      runner.run("listing domain validations", () =>
        ok(
          connection
            .statement("SELECT data FROM domain_validations WHERE endpoint_id = ? ORDER BY endpoint_id, id")
            .all(endpointId)
            .map((row) => decode<DomainValidation>(row.data)),
        ),
      ),

    update: (domain) =>
      runner.run(`updating domain validation ${domain.id}`, () => {
        const next = nextVersion(domain);
        const data = encode(next);
        const { changes } = connection
          .statement(
            "UPDATE domain_validations SET version = ?, data = ? WHERE endpoint_id = ? AND id = ? AND version = ?",
          )
          .run(next.version, data, domain.endpointId, domain.id, domain.version);
        if (changes === 0) {
          return err(
            updateConflict("domain validation", domain.id, find(domain.endpointId, domain.id), domain),
          );
        }
        return ok(decode<DomainValidation>(data));
      }),

    delete: (endpointId, id) =>
      runner.run(`deleting domain validation ${id}`, () => {
        const { changes } = connection
          .statement("DELETE FROM domain_validations WHERE endpoint_id = ? AND id = ?")
          .run(endpointId, id);
        return ok(changes > 0);
      }),
  };
}
