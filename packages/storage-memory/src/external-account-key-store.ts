import type { ExternalAccountKey, ExternalAccountKeyStore } from "@acme-endpoints/core";
import { err, ok } from "neverthrow";
import { frozenCopy, nextVersion } from "./freeze.js";
import type { Journal } from "./journal.js";
import { conflict, perform, updateConflict } from "./journal.js";
import type { MemoryState } from "./state.js";
import { scopeFor, setRow } from "./state.js";

export function createExternalAccountKeyStore(state: MemoryState, journal: Journal): ExternalAccountKeyStore {
  const write = (
    rows: Map<string, ExternalAccountKey>,
    id: string,
    previous: ExternalAccountKey | undefined,
    next: ExternalAccountKey | undefined,
  ): void => {
    setRow(rows, id, next);
    journal.record(() => setRow(rows, id, previous));
  };

  return {
    insert: (key) =>
      perform(journal, () => {
        const rows = scopeFor(state, key.endpointId).externalAccountKeys;
        if (rows.has(key.keyId)) return err(conflict(`external account key ${key.keyId} already exists`));
        const stored = frozenCopy(key);
        write(rows, key.keyId, undefined, stored);
        return ok(stored);
      }),

    get: (endpointId, keyId) =>
      perform(journal, () => ok(state.scopes.get(endpointId)?.externalAccountKeys.get(keyId))),

    listByEndpoint: (endpointId) =>
      perform(journal, () => ok([...(state.scopes.get(endpointId)?.externalAccountKeys.values() ?? [])])),

    update: (key) =>
      perform(journal, () => {
        const rows = state.scopes.get(key.endpointId)?.externalAccountKeys;
        const stored = rows?.get(key.keyId);
        if (rows === undefined || stored?.version !== key.version) {
          return err(updateConflict("external account key", key.keyId, stored, key));
        }
        const next = nextVersion(key);
        write(rows, key.keyId, stored, next);
        return ok(next);
      }),
  };
}
