import type { Authorization, AuthorizationStore } from "@acme-endpoints/core";
import { err, ok } from "neverthrow";
import { frozenCopy, nextVersion } from "./freeze.js";
import type { Journal } from "./journal.js";
import { conflict, perform, updateConflict } from "./journal.js";
import type { MemoryState } from "./state.js";
import { scopeFor, setRow } from "./state.js";

export function createAuthorizationStore(state: MemoryState, journal: Journal): AuthorizationStore {
  const write = (
    rows: Map<string, Authorization>,
    id: string,
    previous: Authorization | undefined,
    next: Authorization,
  ): void => {
    setRow(rows, id, next);
    journal.record(() => setRow(rows, id, previous));
  };

  return {
    insert: (authorization) =>
      perform(journal, () => {
        const rows = scopeFor(state, authorization.endpointId).authorizations;
        if (rows.has(authorization.id)) {
          return err(conflict(`authorization ${authorization.id} already exists`));
        }
        const stored = frozenCopy(authorization);
        write(rows, authorization.id, undefined, stored);
        return ok(stored);
      }),

    get: (endpointId, id) => perform(journal, () => ok(state.scopes.get(endpointId)?.authorizations.get(id))),

    update: (authorization) =>
      perform(journal, () => {
        const rows = state.scopes.get(authorization.endpointId)?.authorizations;
        const stored = rows?.get(authorization.id);
        if (rows === undefined || stored?.version !== authorization.version) {
          return err(updateConflict("authorization", authorization.id, stored, authorization));
        }
        const next = nextVersion(authorization);
        write(rows, authorization.id, stored, next);
        return ok(next);
      }),
  };
}
