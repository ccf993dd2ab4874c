import type { Endpoint, EndpointStore, Page, PageRequest, StorageError } from "@acme-endpoints/core";
import type { Result } from "neverthrow";
import { err, ok } from "neverthrow";
import { decodeCursor, encodeCursor, indexAfter, moveInOrder } from "./endpoint-order.js";
import { frozenCopy, nextVersion } from "./freeze.js";
import type { Journal } from "./journal.js";
import { conflict, perform, updateConflict } from "./journal.js";
import { checkLimit, malformedCursor } from "./paging.js";
import type { MemoryState } from "./state.js";

export function createEndpointStore(state: MemoryState, journal: Journal): EndpointStore {
  /** Moves the endpoint from `previous` to `next` in both the map and the sorted list. */
  const place = (previous: Endpoint | undefined, next: Endpoint | undefined): void => {
    if (next === undefined) {
      if (previous !== undefined) state.endpoints.delete(previous.id);
    } else state.endpoints.set(next.id, next);
    moveInOrder(state.endpointsInOrder, previous, next);
  };
  const write = (previous: Endpoint | undefined, next: Endpoint | undefined): void => {
    place(previous, next);
    journal.record(() => place(next, previous));
  };

  return {
    insert: (endpoint) =>
      perform(journal, () => {
        if (state.endpoints.has(endpoint.id)) return err(conflict(`endpoint ${endpoint.id} already exists`));
        const stored = frozenCopy(endpoint);
        write(undefined, stored);
        return ok(stored);
      }),

    get: (id) => perform(journal, () => ok(state.endpoints.get(id))),

    list: (page) => perform(journal, () => listEndpoints(state.endpointsInOrder, page)),

    update: (endpoint) =>
      perform(journal, () => {
        const stored = state.endpoints.get(endpoint.id);
        if (stored?.version !== endpoint.version) {
          return err(updateConflict("endpoint", endpoint.id, stored, endpoint));
        }
        const next = nextVersion(endpoint);
        write(stored, next);
        return ok(next);
      }),

    // The scope (accounts, orders, nonces...) goes whole; certificates live outside it and stay.
    delete: (id) =>
      perform(journal, () => {
        const endpoint = state.endpoints.get(id);
        const scope = state.scopes.get(id);
        if (endpoint !== undefined) write(endpoint, undefined);
        if (scope !== undefined) {
          state.scopes.delete(id);
          journal.record(() => state.scopes.set(id, scope));
        }
        return ok(endpoint !== undefined);
      }),
  };
}

function listEndpoints(sorted: readonly Endpoint[], page: PageRequest): Result<Page<Endpoint>, StorageError> {
  return checkLimit(page.limit).andThen((limit) => {
    let start = 0;
    if (page.after !== undefined) {
      const key = decodeCursor(page.after);
      if (key === undefined) return err(malformedCursor(page.after));
      start = indexAfter(sorted, key);
    }
    const items = sorted.slice(start, start + limit);
    const last = items.at(-1);
    return ok(
      start + limit < sorted.length && last !== undefined ? { items, next: encodeCursor(last) } : { items },
    );
  });
}
