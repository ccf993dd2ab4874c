import type { ExternalAccountKey, ExternalAccountKeyStore } from "@acme-endpoints/core";
import type { Journal } from "./journal.js";
import { createScopedRowStore, type ScopedRows } from "./scoped-rows.js";
import type { MemoryState } from "./state.js";

const EXTERNAL_ACCOUNT_KEYS: ScopedRows<ExternalAccountKey> = {
  rows: (scope) => scope.externalAccountKeys,
  idOf: (key) => key.keyId,
  what: "external account key",
};

export function createExternalAccountKeyStore(state: MemoryState, journal: Journal): ExternalAccountKeyStore {
  return createScopedRowStore(state, journal, EXTERNAL_ACCOUNT_KEYS);
}
