import type { AuthorizationStore } from "@acme-endpoints/core";
import { err, ok } from "neverthrow";
import { frozenCopy, nextVersion } from "./freeze.js";
import type { Journal } from "./journal.js";
import { conflict, found, perform, updateConflict } from "./journal.js";
import type { MemoryState } from "./state.js";
import { scopeFor, writeRow } from "./state.js";

export function createAuthorizationStore(state: MemoryState, journal: Journal): AuthorizationStore {
  // Methods, not arrow-valued properties (see order-store.ts).
  return {
    insert(authorization) {
      return perform(journal, () => {
        const rows = scopeFor(state, authorization.endpointId).authorizations;
        if (rows.has(authorization.id)) {
          return err(conflict(`authorization ${authorization.id} already exists`));
        }
        const stored = frozenCopy(authorization);
        writeRow(journal, rows, authorization.id, undefined, stored);
        return ok(stored);
      });
    },

    get(endpointId, id) {
      return found(journal, state.scopes.get(endpointId)?.authorizations.get(id));
    },

    update(authorization) {
      return perform(journal, () => {
        const rows = state.scopes.get(authorization.endpointId)?.authorizations;
        const stored = rows?.get(authorization.id);
        if (rows === undefined || stored?.version !== authorization.version) {
          return err(updateConflict("authorization", authorization.id, stored, authorization));
        }
        const next = nextVersion(authorization, stored);
        writeRow(journal, rows, authorization.id, stored, next);
        return ok(next);
      });
    },
  };
}
