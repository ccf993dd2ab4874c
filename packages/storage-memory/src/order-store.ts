import type { Order, OrderStore, Page, PageRequest, StorageError } from "@acme-endpoints/core";
import { checkPageLimit, invalidCursor } from "@acme-endpoints/core";
import type { Result } from "neverthrow";
import { err, ok } from "neverthrow";
import { frozenCopy, nextVersion } from "./freeze.js";
import type { Journal } from "./journal.js";
import { conflict, found, perform, placeJournaled, updateConflict } from "./journal.js";
import type { EndpointScope, MemoryState } from "./state.js";
import { scopeFor } from "./state.js";

/** Adds or removes an order, with its place in its account's list; an update swaps the record. */
function place(scope: EndpointScope, previous: Order | undefined, next: Order | undefined): void {
  if (next !== undefined) {
    scope.orders.set(next.id, next);
    if (previous === undefined) accountOrderIds(scope, next.accountId).push(next.id);
    return;
  }
  if (previous === undefined) return;
  scope.orders.delete(previous.id);
  // Only a rolled back insert removes an order: it is almost always the account's last one.
  const ids = accountOrderIds(scope, previous.accountId);
  const index = ids.lastIndexOf(previous.id);
  if (index >= 0) ids.splice(index, 1);
}

function accountOrderIds(scope: EndpointScope, accountId: string): string[] {
  let ids = scope.orderIdsByAccount.get(accountId);
  if (ids === undefined) {
    ids = [];
    scope.orderIdsByAccount.set(accountId, ids);
  }
  return ids;
}

export function createOrderStore(state: MemoryState, journal: Journal): OrderStore {
  // Methods, not arrow-valued properties: nothing per store to name or allocate but the object
  // (a transaction makes its stores anew). They use no `this`, so they may be called detached.
  return {
    insert(order) {
      return perform(journal, () => {
        const scope = scopeFor(state, order.endpointId);
        if (scope.orders.has(order.id)) return err(conflict(`order ${order.id} already exists`));
        const stored = frozenCopy(order);
        placeJournaled(journal, place, scope, undefined, stored);
        return ok(stored);
      });
    },

    get(endpointId, id) {
      return found(journal, state.scopes.get(endpointId)?.orders.get(id));
    },

    update(order) {
      return perform(journal, () => {
        const scope = state.scopes.get(order.endpointId);
        const stored = scope?.orders.get(order.id);
        if (scope === undefined || stored?.version !== order.version) {
          return err(updateConflict("order", order.id, stored, order));
        }
        // The account list is indexed by it; no flow moves an order to another account.
        if (order.accountId !== stored.accountId) {
          return err(conflict(`order ${order.id} cannot change account`));
        }
        const next = nextVersion(order, stored);
        placeJournaled(journal, place, scope, stored, next);
        return ok(next);
      });
    },

    listByAccount(endpointId, accountId, page) {
      return perform(journal, () => listOrders(state.scopes.get(endpointId), accountId, page));
    },
  };
}

/**
 * Insertion order is creation order, so "oldest first" is the account's list as is. The cursor is
 * the position of the next order in that list: a page costs O(limit), whatever the history.
 */
function listOrders(
  scope: EndpointScope | undefined,
  accountId: string,
  page: PageRequest,
): Result<Page<Order>, StorageError> {
  return checkPageLimit(page.limit).andThen((limit) => {
    let start = 0;
    if (page.after !== undefined) {
      if (!/^\d{1,15}$/.test(page.after)) return err(invalidCursor(page.after));
      start = Number(page.after);
    }
    const ids = scope?.orderIdsByAccount.get(accountId) ?? [];
    const end = Math.min(start + limit, ids.length);
    const items: Order[] = [];
    for (let index = start; index < end; index++) {
      const order = scope?.orders.get(ids[index]!);
      if (order !== undefined) items.push(order);
    }
    return ok(end < ids.length ? { items, next: String(end) } : { items });
  });
}
