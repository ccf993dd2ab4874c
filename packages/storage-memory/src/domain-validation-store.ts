import type { DomainValidationStore } from "@acme-endpoints/core";
import { err, ok } from "neverthrow";
import { frozenCopy, nextVersion } from "./freeze.js";
import type { Journal } from "./journal.js";
import { conflict, found, perform, updateConflict } from "./journal.js";
import type { MemoryState } from "./state.js";
import { scopeFor, writeRow } from "./state.js";

export function createDomainValidationStore(state: MemoryState, journal: Journal): DomainValidationStore {
  // Methods, not arrow-valued properties (see order-store.ts).
  return {
    insert(domain) {
      return perform(journal, () => {
        const rows = scopeFor(state, domain.endpointId).domainValidations;
        if (rows.has(domain.id)) return err(conflict(`domain validation ${domain.id} already exists`));
        const stored = frozenCopy(domain);
        writeRow(journal, rows, domain.id, undefined, stored);
        return ok(stored);
      });
    },

    get(endpointId, id) {
      return found(journal, state.scopes.get(endpointId)?.domainValidations.get(id));
    },

    listByEndpoint(endpointId) {
      return perform(journal, () =>
        ok([...(state.scopes.get(endpointId)?.domainValidations.values() ?? [])]),
      );
    },

    update(domain) {
      return perform(journal, () => {
        const rows = state.scopes.get(domain.endpointId)?.domainValidations;
        const stored = rows?.get(domain.id);
        if (rows === undefined || stored?.version !== domain.version) {
          return err(updateConflict("domain validation", domain.id, stored, domain));
        }
        const next = nextVersion(domain, stored);
        writeRow(journal, rows, domain.id, stored, next);
        return ok(next);
      });
    },

    delete(endpointId, id) {
      return perform(journal, () => {
        const rows = state.scopes.get(endpointId)?.domainValidations;
        const stored = rows?.get(id);
        if (rows === undefined || stored === undefined) return ok(false);
        writeRow(journal, rows, id, stored, undefined);
        return ok(true);
      });
    },
  };
}
