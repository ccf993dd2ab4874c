import type { ExternalAccountKey, ExternalAccountKeyStore } from "@acme-endpoints/core";
import { err, ok } from "neverthrow";
import { frozenCopy, nextVersion } from "./freeze.js";
import type { Journal } from "./journal.js";
import { conflict, found, perform, updateConflict } from "./journal.js";
import type { MemoryState } from "./state.js";
import { scopeFor, setRow } from "./state.js";

function write(
  journal: Journal,
  rows: Map<string, ExternalAccountKey>,
  id: string,
  previous: ExternalAccountKey | undefined,
  next: ExternalAccountKey | undefined,
): void {
  setRow(rows, id, next);
  if (journal.keeps) journal.record(() => setRow(rows, id, previous));
}

export function createExternalAccountKeyStore(state: MemoryState, journal: Journal): ExternalAccountKeyStore {
  // Methods, not arrow-valued properties (see order-store.ts).
  return {
    insert(key) {
      return perform(journal, () => {
        const rows = scopeFor(state, key.endpointId).externalAccountKeys;
        if (rows.has(key.keyId)) return err(conflict(`external account key ${key.keyId} already exists`));
        const stored = frozenCopy(key);
        write(journal, rows, key.keyId, undefined, stored);
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
        write(journal, rows, key.keyId, stored, next);
        return ok(next);
      });
    },
  };
}
