import type { CertificateRecord, CertificateStore } from "@acme-endpoints/core";
import { err, ok } from "neverthrow";
import { listCertificates, summarize } from "./certificate-inventory.js";
import { frozenCopy, nextVersion } from "./freeze.js";
import type { Journal } from "./journal.js";
import { conflict, perform, updateConflict } from "./journal.js";
import type { MemoryState } from "./state.js";

/** Moves a certificate from `previous` to `next` in the serial map and the indexes. */
function place(
  state: MemoryState,
  previous: CertificateRecord | undefined,
  next: CertificateRecord | undefined,
): void {
  state.inventory.place(previous, next);
  if (previous !== undefined) {
    state.certificates.delete(previous.serial);
    const byOrder = state.certificateSerialsByOrder.get(previous.endpointId);
    if (byOrder?.get(previous.orderId) === previous.serial) byOrder.delete(previous.orderId);
  }
  if (next !== undefined) {
    state.certificates.set(next.serial, next);
    let byOrder = state.certificateSerialsByOrder.get(next.endpointId);
    if (byOrder === undefined) {
      byOrder = new Map();
      state.certificateSerialsByOrder.set(next.endpointId, byOrder);
    }
    byOrder.set(next.orderId, next.serial);
  }
}

/** Certificates live outside the endpoint scopes: deleting an endpoint keeps them for the inventory. */
export function createCertificateStore(state: MemoryState, journal: Journal): CertificateStore {
  const write = (previous: CertificateRecord | undefined, next: CertificateRecord): void => {
    place(state, previous, next);
    journal.record(() => place(state, next, previous));
  };
  const find = (endpointId: string, serial: string): CertificateRecord | undefined => {
    const certificate = state.certificates.get(serial);
    return certificate?.endpointId === endpointId ? certificate : undefined;
  };

  return {
    insert: (certificate) =>
      perform(journal, () => {
        if (state.certificates.has(certificate.serial)) {
          return err(conflict(`a certificate with serial ${certificate.serial} exists`));
        }
        if (state.certificateSerialsByOrder.get(certificate.endpointId)?.has(certificate.orderId)) {
          return err(conflict(`order ${certificate.orderId} already has a certificate`));
        }
        // Renewal: the older certificates for the same identifier set (looked up before the new
        // one is indexed, so it is not among them) point at the new one.
        for (const serial of state.inventory.serialsWithIdentifiers(
          certificate.endpointId,
          certificate.identifiers,
        )) {
          const older = state.certificates.get(serial);
          if (older === undefined || older.renewedBy !== undefined) continue;
          write(older, nextVersion({ ...older, renewedBy: certificate.serial }));
        }
        const stored = frozenCopy(certificate);
        write(undefined, stored);
        return ok(stored);
      }),

    get: (endpointId, serial) => perform(journal, () => ok(find(endpointId, serial))),

    update: (certificate) =>
      perform(journal, () => {
        const stored = find(certificate.endpointId, certificate.serial);
        if (stored?.version !== certificate.version) {
          return err(updateConflict("certificate", certificate.serial, stored, certificate));
        }
        // The per-order index is keyed by it; a certificate never moves to another order.
        if (certificate.orderId !== stored.orderId) {
          return err(conflict(`certificate ${certificate.serial} cannot change order`));
        }
        const next = nextVersion(certificate);
        write(stored, next);
        return ok(next);
      }),

    findBySerial: (serial) => perform(journal, () => ok(state.certificates.get(serial))),

    list: (filter, page) =>
      perform(journal, () => listCertificates(state.inventory, state.certificates, filter, page)),

    summary: ({ endpointId, now }) => perform(journal, () => ok(summarize(state.inventory, endpointId, now))),
  };
}
