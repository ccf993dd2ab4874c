import type { AcmeStorage } from "@acme-endpoints/core";
import { noJournal } from "./journal.js";
import { Mutex } from "./mutex.js";
import { createState } from "./state.js";
import { createAllStores } from "./stores.js";
import { runTransaction } from "./transaction.js";

export interface MemoryStorageOptions {
  /**
   * The most nonces remembered at once (default 100,000). Past it the oldest are forgotten first:
   * a client whose nonce was forgotten gets `badNonce` with a fresh nonce and retries
   * (RFC 8555 §6.5). Expired nonces are forgotten anyway.
   */
  readonly maxNonces?: number;
}

export const DEFAULT_MAX_NONCES = 100_000;

/**
 * Storage that lives in this process's memory and goes with it: for tests, demos, and servers
 * that may forget everything on restart. Records are frozen copies: what you pass in is copied,
 * what you get back is shared but immutable.
 *
 * @example
 * ```ts
 * const server = createAcmeServer({ storage: createMemoryStorage(), ... });
 * ```
 */
export function createMemoryStorage(options: MemoryStorageOptions = {}): AcmeStorage {
  const state = createState(options.maxNonces ?? DEFAULT_MAX_NONCES);
  const mutex = new Mutex();
  return {
    ...createAllStores(state, noJournal),
    transaction: (work) => runTransaction(state, mutex, work),
  };
}
