import type { DomainValidation, DomainValidationStore } from "@acme-endpoints/core";
import { err, ok } from "neverthrow";
import { frozenCopy, nextVersion } from "./freeze.js";
import type { Journal } from "./journal.js";
import { conflict, perform, updateConflict } from "./journal.js";
import type { MemoryState } from "./state.js";
import { scopeFor, setRow } from "./state.js";

export function createDomainValidationStore(state: MemoryState, journal: Journal): DomainValidationStore {
  const write = (
    rows: Map<string, DomainValidation>,
    id: string,
    previous: DomainValidation | undefined,
    next: DomainValidation | undefined,
  ): void => {
    setRow(rows, id, next);
    journal.record(() => setRow(rows, id, previous));
  };

  return {
    insert: (domain) =>
      perform(journal, () => {
        const rows = scopeFor(state, domain.endpointId).domainValidations;
        if (rows.has(domain.id)) return err(conflict(`domain validation ${domain.id} already exists`));
        const stored = frozenCopy(domain);
        write(rows, domain.id, undefined, stored);
        return ok(stored);
      }),

    get: (endpointId, id) =>
      perform(journal, () => ok(state.scopes.get(endpointId)?.domainValidations.get(id))),

    listByEndpoint: (endpointId) =>
      perform(journal, () => ok([...(state.scopes.get(endpointId)?.domainValidations.values() ?? [])])),

    update: (domain) =>
      perform(journal, () => {
        const rows = state.scopes.get(domain.endpointId)?.domainValidations;
        const stored = rows?.get(domain.id);
        if (rows === undefined || stored?.version !== domain.version) {
          return err(updateConflict("domain validation", domain.id, stored, domain));
        }
        const next = nextVersion(domain);
        write(rows, domain.id, stored, next);
        return ok(next);
      }),

    delete: (endpointId, id) =>
      perform(journal, () => {
        const rows = state.scopes.get(endpointId)?.domainValidations;
        const stored = rows?.get(id);
        if (rows === undefined || stored === undefined) return ok(false);
        write(rows, id, stored, undefined);
        return ok(true);
      }),
  };
}
