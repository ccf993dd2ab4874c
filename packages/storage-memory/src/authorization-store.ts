import type { Authorization, AuthorizationStore } from "@acme-endpoints/core";
import type { Journal } from "./journal.js";
import { createScopedRowStore, type ScopedRows } from "./scoped-rows.js";
import type { MemoryState } from "./state.js";

const AUTHORIZATIONS: ScopedRows<Authorization> = {
  rows: (scope) => scope.authorizations,
  idOf: (authorization) => authorization.id,
  what: "authorization",
};

export function createAuthorizationStore(state: MemoryState, journal: Journal): AuthorizationStore {
  return createScopedRowStore(state, journal, AUTHORIZATIONS);
}
