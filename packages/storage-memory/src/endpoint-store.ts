import type { Endpoint, EndpointStore, Page, PageRequest, StorageError } from "@acme-endpoints/core";
import {
  checkPageLimit,
  decodeEndpointCursor,
  encodeEndpointCursor,
  invalidCursor,
} from "@acme-endpoints/core";
import type { Result } from "neverthrow";
import { err, ok } from "neverthrow";
import { indexAfter, moveInOrder } from "./endpoint-order.js";
import { frozenCopy, nextVersion } from "./freeze.js";
import type { Journal } from "./journal.js";
import { conflict, LastRead, perform, placeJournaled, updateConflict } from "./journal.js";
import type { MemoryState } from "./state.js";

/** Moves the endpoint from `previous` to `next` in both the map and the sorted list. */
function place(state: MemoryState, previous: Endpoint | undefined, next: Endpoint | undefined): void {
  if (next === undefined) {
    if (previous !== undefined) state.endpoints.delete(previous.id);
  } else state.endpoints.set(next.id, next);
  moveInOrder(state.endpointsInOrder, previous, next);
  const tokens = state.endpointIdsByIdempotencyToken;
  if (previous?.idempotency !== undefined) tokens.delete(previous.idempotency.token);
  if (next?.idempotency !== undefined) tokens.set(next.idempotency.token, next.id);
}

export function createEndpointStore(state: MemoryState, journal: Journal): EndpointStore {
  const lastRead = new LastRead<Endpoint>();
  // Methods, not arrow-valued properties (see order-store.ts).
  return {
    insert(endpoint) {
      return perform(journal, () => {
        if (state.endpoints.has(endpoint.id)) return err(conflict(`endpoint ${endpoint.id} already exists`));
        const token = endpoint.idempotency?.token;
        if (token !== undefined && state.endpointIdsByIdempotencyToken.has(token)) {
          return err(conflict("an endpoint was already created with this idempotency token"));
        }
        const stored = frozenCopy(endpoint);
        placeJournaled(journal, place, state, undefined, stored);
        return ok(stored);
      });
    },

    get(id) {
      return lastRead.answer(journal, state.endpoints.get(id));
    },

    getByIdempotencyToken(token) {
      return perform(journal, () => {
        const id = state.endpointIdsByIdempotencyToken.get(token);
        return ok(id === undefined ? undefined : state.endpoints.get(id));
      });
    },

    list(page) {
      return perform(journal, () => listEndpoints(state.endpointsInOrder, page));
    },

    update(endpoint) {
      return perform(journal, () => {
        const stored = state.endpoints.get(endpoint.id);
        if (stored?.version !== endpoint.version) {
          return err(updateConflict("endpoint", endpoint.id, stored, endpoint));
        }
        if (stored.idempotency?.token !== endpoint.idempotency?.token) {
          return err(conflict("an endpoint's idempotency token cannot change"));
        }
        const next = nextVersion(endpoint, stored);
        placeJournaled(journal, place, state, stored, next);
        return ok(next);
      });
    },

    // The scope (accounts, orders, nonces...) goes whole; certificates live outside it and stay,
    // marked as from a deleted endpoint.
    delete(id) {
      return perform(journal, () => {
        const endpoint = state.endpoints.get(id);
        const scope = state.scopes.get(id);
        if (endpoint !== undefined) placeJournaled(journal, place, state, endpoint, undefined);
        if (scope !== undefined) {
          state.scopes.delete(id);
          journal.record(() => state.scopes.set(id, scope));
        }
        if (endpoint !== undefined) markCertificatesOfDeletedEndpoint(state, journal, id);
        return ok(endpoint !== undefined);
      });
    },
  };
}

function markCertificatesOfDeletedEndpoint(state: MemoryState, journal: Journal, endpointId: string): void {
  for (const serial of state.certificateSerialsByOrder.get(endpointId)?.values() ?? []) {
    const certificate = state.certificates.get(serial);
    if (certificate === undefined || certificate.endpointDeleted) continue;
    state.certificates.set(serial, nextVersion({ ...certificate, endpointDeleted: true }, certificate));
    journal.record(() => state.certificates.set(serial, certificate));
  }
}

function listEndpoints(sorted: readonly Endpoint[], page: PageRequest): Result<Page<Endpoint>, StorageError> {
  return checkPageLimit(page.limit).andThen((limit) => {
    let start = 0;
    if (page.after !== undefined) {
      const key = decodeEndpointCursor(page.after);
      if (key === undefined) return err(invalidCursor(page.after));
      start = indexAfter(sorted, key);
    }
    const items = sorted.slice(start, start + limit);
    const last = items.at(-1);
    return ok(
      start + limit < sorted.length && last !== undefined
        ? { items, next: encodeEndpointCursor(last) }
        : { items },
    );
  });
}
