import type { CertificateRecord, CertificateStore } from "@acme-endpoints/core";
import { err, ok } from "neverthrow";
import { listCertificates, summarize } from "./certificate-inventory.js";
import { frozenCopyKeeping, nextVersion } from "./freeze.js";
import { identifierKey } from "./inventory-index.js";
import type { Journal } from "./journal.js";
import { conflict, found, perform, updateConflict } from "./journal.js";
import type { MemoryState } from "./state.js";

/**
 * Moves a certificate from `previous` to `next` in the serial map and the indexes; `nextKey`, when
 * the caller has it, is `identifierKey(next)`.
 */
function place(
  state: MemoryState,
  previous: CertificateRecord | undefined,
  next: CertificateRecord | undefined,
  nextKey?: string,
): void {
  state.inventory.place(previous, next, nextKey);
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

/** `placeJournaled` (journal.ts), passing on the identifier key an insert has already made. */
function write(
  state: MemoryState,
  journal: Journal,
  previous: CertificateRecord | undefined,
  next: CertificateRecord,
  nextKey?: string,
): void {
  place(state, previous, next, nextKey);
  if (journal.keeps) journal.record(() => place(state, next, previous));
}

/** Points the older certificate `serial` at its renewal, unless it already has one. */
function markRenewed(state: MemoryState, journal: Journal, serial: string, renewal: string): void {
  const older = state.certificates.get(serial);
  if (older === undefined || older.renewedBy !== undefined) return;
  write(state, journal, older, nextVersion({ ...older, renewedBy: renewal }, older));
}

function find(state: MemoryState, endpointId: string, serial: string): CertificateRecord | undefined {
  const certificate = state.certificates.get(serial);
  return certificate?.endpointId === endpointId ? certificate : undefined;
}

/** Certificates live outside the endpoint scopes: deleting an endpoint keeps them for the inventory. */
export function createCertificateStore(state: MemoryState, journal: Journal): CertificateStore {
  // Methods, not arrow-valued properties (see order-store.ts).
  return {
    insert(certificate) {
      return perform(journal, () => {
        if (state.certificates.has(certificate.serial)) {
          return err(conflict(`a certificate with serial ${certificate.serial} exists`));
        }
        if (state.certificateSerialsByOrder.get(certificate.endpointId)?.has(certificate.orderId)) {
          return err(conflict(`order ${certificate.orderId} already has a certificate`));
        }
        const key = identifierKey(certificate.identifiers);
        // Renewal: the older certificates for the same identifier set (looked up before the new
        // one is indexed, so it is not among them) point at the new one.
        const olders = state.inventory.serialsWithIdentifiers(certificate.endpointId, key);
        if (typeof olders === "string") markRenewed(state, journal, olders, certificate.serial);
        else if (olders !== undefined) {
          for (const serial of olders) markRenewed(state, journal, serial, certificate.serial);
        }
        // Core hands on its order's identifiers and its endpoint's certificate tags: kept as
        // they are, they are not copied (nor kept alive) twice.
        const stored = frozenCopyKeeping(certificate, [
          state.scopes.get(certificate.endpointId)?.orders.get(certificate.orderId)?.identifiers,
          state.endpoints.get(certificate.endpointId)?.certificateTags,
        ]);
        write(state, journal, undefined, stored, key);
        return ok(stored);
      });
    },

    get(endpointId, serial) {
      return found(journal, find(state, endpointId, serial));
    },

    update(certificate) {
      return perform(journal, () => {
        const stored = find(state, certificate.endpointId, certificate.serial);
        if (stored?.version !== certificate.version) {
          return err(updateConflict("certificate", certificate.serial, stored, certificate));
        }
        // The per-order index is keyed by it; a certificate never moves to another order.
        if (certificate.orderId !== stored.orderId) {
          return err(conflict(`certificate ${certificate.serial} cannot change order`));
        }
        const next = nextVersion(certificate, stored);
        write(state, journal, stored, next);
        return ok(next);
      });
    },

    findBySerial(serial) {
      return found(journal, state.certificates.get(serial));
    },

    list(filter, page) {
      return perform(journal, () => listCertificates(state.inventory, state.certificates, filter, page));
    },

    summary({ endpointId, now }) {
      return perform(journal, () => ok(summarize(state.inventory, endpointId, now)));
    },
  };
}
