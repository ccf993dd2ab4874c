import type { NonceStore } from "@acme-endpoints/core";
import { err, ok } from "neverthrow";
import type { Journal } from "./journal.js";
import { conflict, perform } from "./journal.js";
import type { NonceEntry } from "./nonce-queue.js";
import type { MemoryState } from "./state.js";
import { scopeFor } from "./state.js";

export function createNonceStore(state: MemoryState, journal: Journal): NonceStore {
  return {
    insert: (endpointId, nonce, expiresAt) =>
      perform(journal, () => {
        const nonces = scopeFor(state, endpointId).nonces;
        if (nonces.has(nonce)) return err(conflict("this nonce already exists"));
        const entry: NonceEntry = { nonces, nonce, expiresAt: expiresAt.getTime() };
        state.nonceQueue.add(entry);
        journal.record(() => {
          if (nonces.get(nonce) === entry) nonces.delete(nonce);
        });
        return ok(undefined);
      }),

    // Synchronous check-and-delete: of parallel consumes of one nonce, exactly one finds it.
    consume: (endpointId, nonce, now) =>
      perform(journal, () => {
        const at = now.getTime();
        state.nonceQueue.observe(at);
        const nonces = state.scopes.get(endpointId)?.nonces;
        const entry = nonces?.get(nonce);
        if (nonces === undefined || entry === undefined) return ok(false);
        nonces.delete(nonce);
        journal.record(() => {
          if (!nonces.has(nonce)) state.nonceQueue.restore(entry);
        });
        return ok(at <= entry.expiresAt);
      }),
  };
}
