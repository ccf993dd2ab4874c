import type {
  Authorization,
  AuthorizationStore,
  DomainValidation,
  DomainValidationStore,
  ExternalAccountKey,
  ExternalAccountKeyStore,
  StorageResult,
} from "@acme-endpoints/core";
import { err, ok } from "neverthrow";
import { frozenCopy, nextVersion } from "./freeze.js";
import type { Journal } from "./journal.js";
import { conflict, found, perform, updateConflict } from "./journal.js";
import type { EndpointScope, MemoryState } from "./state.js";
import { scopeFor, writeRow } from "./state.js";

interface ScopedRecord {
  readonly endpointId: string;
  readonly version: number;
}

/** Where records of one kind live in their endpoint's scope, and what names them. */
interface ScopedRows<R extends ScopedRecord> {
  readonly rows: (scope: EndpointScope) => Map<string, R>;
  readonly idOf: (record: R) => string;
  /** For messages: "domain validation". */
  readonly what: string;
}

interface ScopedRowStore<R> {
  insert(record: R): StorageResult<R>;
  get(endpointId: string, id: string): StorageResult<R | undefined>;
  listByEndpoint(endpointId: string): StorageResult<readonly R[]>;
  update(record: R): StorageResult<R>;
  delete(endpointId: string, id: string): StorageResult<boolean>;
}

/**
 * The stores whose records sit in one map of their endpoint's scope, keyed by one id, with
 * versioned updates (authorizations, domain validations, external account keys): one
 * implementation, each port taking the methods it declares.
 */
function createScopedRowStore<R extends ScopedRecord>(
  state: MemoryState,
  journal: Journal,
  { rows, idOf, what }: ScopedRows<R>,
): ScopedRowStore<R> {
  // Methods, not arrow-valued properties (see order-store.ts).
  return {
    insert(record) {
      return perform(journal, () => {
        const map = rows(scopeFor(state, record.endpointId));
        const id = idOf(record);
        if (map.has(id)) return err(conflict(`${what} ${id} already exists`));
        const stored = frozenCopy(record);
        writeRow(journal, map, id, undefined, stored);
        return ok(stored);
      });
    },

    get(endpointId, id) {
      const scope = state.scopes.get(endpointId);
      return found(journal, scope === undefined ? undefined : rows(scope).get(id));
    },

    listByEndpoint(endpointId) {
      return perform(journal, () => {
        const scope = state.scopes.get(endpointId);
        return ok(scope === undefined ? [] : [...rows(scope).values()]);
      });
    },

    update(record) {
      return perform(journal, () => {
        const scope = state.scopes.get(record.endpointId);
        const map = scope === undefined ? undefined : rows(scope);
        const id = idOf(record);
        const stored = map?.get(id);
        if (map === undefined || stored?.version !== record.version) {
          return err(updateConflict(what, id, stored, record));
        }
        const next = nextVersion(record, stored);
        writeRow(journal, map, id, stored, next);
        return ok(next);
      });
    },

    delete(endpointId, id) {
      return perform(journal, () => {
        const scope = state.scopes.get(endpointId);
        const map = scope === undefined ? undefined : rows(scope);
        const stored = map?.get(id);
        if (map === undefined || stored === undefined) return ok(false);
        writeRow(journal, map, id, stored, undefined);
        return ok(true);
      });
    },
  };
}

const AUTHORIZATIONS: ScopedRows<Authorization> = {
  rows: (scope) => scope.authorizations,
  idOf: (authorization) => authorization.id,
  what: "authorization",
};

const DOMAIN_VALIDATIONS: ScopedRows<DomainValidation> = {
  rows: (scope) => scope.domainValidations,
  idOf: (domain) => domain.id,
  what: "domain validation",
};

const EXTERNAL_ACCOUNT_KEYS: ScopedRows<ExternalAccountKey> = {
  rows: (scope) => scope.externalAccountKeys,
  idOf: (key) => key.keyId,
  what: "external account key",
};

export function createAuthorizationStore(state: MemoryState, journal: Journal): AuthorizationStore {
  return createScopedRowStore(state, journal, AUTHORIZATIONS);
}

export function createDomainValidationStore(state: MemoryState, journal: Journal): DomainValidationStore {
  return createScopedRowStore(state, journal, DOMAIN_VALIDATIONS);
}

export function createExternalAccountKeyStore(state: MemoryState, journal: Journal): ExternalAccountKeyStore {
  return createScopedRowStore(state, journal, EXTERNAL_ACCOUNT_KEYS);
}
