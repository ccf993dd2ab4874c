import type { DomainValidation, DomainValidationStore } from "@acme-endpoints/core";
import type { Journal } from "./journal.js";
import { createScopedRowStore, type ScopedRows } from "./scoped-rows.js";
import type { MemoryState } from "./state.js";

const DOMAIN_VALIDATIONS: ScopedRows<DomainValidation> = {
  rows: (scope) => scope.domainValidations,
  idOf: (domain) => domain.id,
  what: "domain validation",
};

export function createDomainValidationStore(state: MemoryState, journal: Journal): DomainValidationStore {
  return createScopedRowStore(state, journal, DOMAIN_VALIDATIONS);
}
