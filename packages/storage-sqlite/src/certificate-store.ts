import type { CertificateRecord, CertificateStore } from "@acme-endpoints/core";
import { err, ok } from "neverthrow";
import { listCertificates, summarize } from "./certificate-inventory.js";
import type { Connection, Runner } from "./connection.js";
import { updateConflict } from "./errors.js";
import { decode, decodeRow, encode, nextVersion } from "./records.js";

/** Certificates are not scoped to an endpoint's lifetime: deleting it keeps them, marked. */
export function createCertificateStore(connection: Connection, runner: Runner): CertificateStore {
  const find = (endpointId: string, serial: string) =>
    decodeRow<CertificateRecord>(
      connection
        .statement("SELECT data FROM certificates WHERE serial = ? AND endpoint_id = ?")
        .get(serial, endpointId),
    );

  return {
    // The serial (PRIMARY KEY) and UNIQUE (endpoint_id, order_id) make "one certificate per
    // order" hold across every process on the database, whatever the callers do.
    insert: (certificate) =>
      runner.run(`inserting certificate ${certificate.serial}`, () => {
        const data = encode(certificate);
        connection
          .statement(
            "INSERT INTO certificates (serial, endpoint_id, order_id, not_after, version, data) VALUES (?, ?, ?, ?, ?, ?)",
          )
          .run(
            certificate.serial,
            certificate.endpointId,
            certificate.orderId,
            certificate.notAfter,
            certificate.version,
            data,
          );
        return ok(decode<CertificateRecord>(data));
      }),

    get: (endpointId, serial) => runner.run("reading a certificate", () => ok(find(endpointId, serial))),

    update: (certificate) =>
      runner.run(`updating certificate ${certificate.serial}`, () => {
        const next = nextVersion(certificate);
        const data = encode(next);
        const { changes } = connection
          .statement(
            "UPDATE certificates SET not_after = ?, version = ?, data = ? WHERE serial = ? AND endpoint_id = ? AND version = ? AND order_id = ?",
          )
          .run(
            next.notAfter,
            next.version,
            data,
            certificate.serial,
            certificate.endpointId,
            certificate.version,
            certificate.orderId,
          );
        if (changes === 0) {
          const stored = find(certificate.endpointId, certificate.serial);
          return err(updateConflict("certificate", certificate.serial, stored, certificate));
        }
        return ok(decode<CertificateRecord>(data));
      }),

    findBySerial: (serial) =>
      runner.run("reading a certificate", () =>
        ok(
          decodeRow<CertificateRecord>(
            connection.statement("SELECT data FROM certificates WHERE serial = ?").get(serial),
          ),
        ),
      ),

    // Renewal marking and the tag index are kept by triggers (inventory-migration.ts).
    list: (filter, page) =>
      runner.run("listing certificates", () => listCertificates(connection, filter, page)),

    summary: ({ endpointId, now }) =>
      runner.run("summarizing certificates", () => ok(summarize(connection, endpointId, now))),
  };
}
