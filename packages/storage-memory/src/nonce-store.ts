import type { NonceStore } from "@acme-endpoints/core";
import { err } from "neverthrow";
import type { Journal } from "./journal.js";
import { conflict, OK_VOID, okBoolean, perform } from "./journal.js";
import type { MemoryState } from "./state.js";
import { scopeFor } from "./state.js";

export function createNonceStore(state: MemoryState, journal: Journal): NonceStore {
  // Methods, not arrow-valued properties (see order-store.ts).
  return {
    insert(endpointId, nonce, expiresAt) {
      return perform(journal, () => {
        const nonces = scopeFor(state, endpointId).nonces;
        if (nonces.has(nonce)) return err(conflict("this nonce already exists"));
        const position = state.nonceQueue.add(nonces, nonce, expiresAt.getTime());
        if (journal.keeps) {
          journal.record(() => {
            if (nonces.get(nonce) === position) nonces.delete(nonce);
          });
        }
        return OK_VOID;
      });
    },

    // Synchronous check-and-delete: of parallel consumes of one nonce, exactly one finds it.
    consume(endpointId, nonce, now) {
      return perform(journal, () => {
        const at = now.getTime();
        state.nonceQueue.observe(at);
        const nonces = state.scopes.get(endpointId)?.nonces;
        const position = nonces?.get(nonce);
        if (nonces === undefined || position === undefined) return okBoolean(false);
        const expiresAt = state.nonceQueue.expiresAt(position);
        nonces.delete(nonce);
        if (journal.keeps) {
          journal.record(() => {
            if (!nonces.has(nonce)) state.nonceQueue.restore(nonces, nonce, expiresAt);
          });
        }
        return okBoolean(at <= expiresAt);
      });
    },
  };
}
