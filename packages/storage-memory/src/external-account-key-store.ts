import type { ExternalAccountKeyStore } from "@acme-endpoints/core";
import { err, ok } from "neverthrow";
import { frozenCopy, nextVersion } from "./freeze.js";
import type { Journal } from "./journal.js";
import { conflict, found, perform, updateConflict } from "./journal.js";
import type { MemoryState } from "./state.js";
import { scopeFor, writeRow } from "./state.js";

export function createExternalAccountKeyStore(state: MemoryState, journal: Journal): ExternalAccountKeyStore {
  // Methods, not arrow-valued properties (see order-store.ts).
  return {
    insert(key) {
      return perform(journal, () => {
        const rows = scopeFor(state, key.endpointId).externalAccountKeys;
        if (rows.has(key.keyId)) return err(conflict(`external account key ${key.keyId} already exists`));
        const stored = frozenCopy(key);
        writeRow(journal, rows, key.keyId, undefined, stored);
        return ok(stored);
      });
    },

    get(endpointId, keyId) {
      return found(journal, state.scopes.get(endpointId)?.externalAccountKeys.get(keyId));
    },

    listByEndpoint(endpointId) {
      return perform(journal, () =>
        ok([...(state.scopes.get(endpointId)?.externalAccountKeys.values() ?? [])]),
      );
    },

    update(key) {
      return perform(journal, () => {
        const rows = state.scopes.get(key.endpointId)?.externalAccountKeys;
        const stored = rows?.get(key.keyId);
        if (rows === undefined || stored?.version !== key.version) {
          return err(updateConflict("external account key", key.keyId, stored, key));
        }
        const next = nextVersion(key, stored);
        writeRow(journal, rows, key.keyId, stored, next);
        return ok(next);
      });
    },
  };
}
