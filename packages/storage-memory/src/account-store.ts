import type { Account, AccountStore } from "@acme-endpoints/core";
import { err, ok } from "neverthrow";
import { frozenCopy, nextVersion } from "./freeze.js";
import type { Journal } from "./journal.js";
import { conflict, found, LastRead, perform, placeJournaled, updateConflict } from "./journal.js";
import type { EndpointScope, MemoryState } from "./state.js";
import { scopeFor } from "./state.js";

/** Moves an account from `previous` to `next` in the id map and the thumbprint index. */
function place(scope: EndpointScope, previous: Account | undefined, next: Account | undefined): void {
  if (previous !== undefined) {
    scope.accounts.delete(previous.id);
    if (scope.accountsByThumbprint.get(previous.thumbprint) === previous) {
      scope.accountsByThumbprint.delete(previous.thumbprint);
    }
  }
  if (next !== undefined) {
    scope.accounts.set(next.id, next);
    scope.accountsByThumbprint.set(next.thumbprint, next);
  }
}

export function createAccountStore(state: MemoryState, journal: Journal): AccountStore {
  const lastRead = new LastRead<Account>();
  // Methods, not arrow-valued properties (see order-store.ts).
  return {
    insert(account) {
      return perform(journal, () => {
        const scope = scopeFor(state, account.endpointId);
        if (scope.accounts.has(account.id)) return err(conflict(`account ${account.id} already exists`));
        if (scope.accountsByThumbprint.has(account.thumbprint)) {
          return err(conflict("the endpoint already has an account with this key"));
        }
        const stored = frozenCopy(account);
        placeJournaled(journal, place, scope, undefined, stored);
        return ok(stored);
      });
    },

    get(endpointId, id) {
      return lastRead.answer(journal, state.scopes.get(endpointId)?.accounts.get(id));
    },

    getByThumbprint(endpointId, thumbprint) {
      return found(journal, state.scopes.get(endpointId)?.accountsByThumbprint.get(thumbprint));
    },

    update(account) {
      return perform(journal, () => {
        const scope = state.scopes.get(account.endpointId);
        const stored = scope?.accounts.get(account.id);
        if (scope === undefined || stored?.version !== account.version) {
          return err(updateConflict("account", account.id, stored, account));
        }
        // A key change (RFC 8555 §7.3.5) moves the account to a thumbprint that must be free.
        if (account.thumbprint !== stored.thumbprint && scope.accountsByThumbprint.has(account.thumbprint)) {
          return err(conflict("the endpoint already has an account with this key"));
        }
        const next = nextVersion(account, stored);
        placeJournaled(journal, place, scope, stored, next);
        return ok(next);
      });
    },
  };
}
