import type { AcmeStores } from "@acme-endpoints/core";
import { createAccountStore } from "./account-store.js";
import { createCaMaterialStore } from "./ca-material-store.js";
import { createCertificateStore } from "./certificate-store.js";
import { createEndpointStore } from "./endpoint-store.js";
import type { Journal } from "./journal.js";
import { createMetricStore } from "./metric-store.js";
import { createNonceStore } from "./nonce-store.js";
import { createOrderStore } from "./order-store.js";
import { createRateLimitStore } from "./rate-limit-store.js";
import {
  createAuthorizationStore,
  createDomainValidationStore,
  createExternalAccountKeyStore,
} from "./scoped-rows.js";
import type { MemoryState } from "./state.js";

/** How each store is made over the state: the one list of the storage's stores. */
const FACTORIES: {
  readonly [K in keyof AcmeStores]: (state: MemoryState, journal: Journal) => AcmeStores[K];
} = {
  endpoints: createEndpointStore,
  domainValidations: createDomainValidationStore,
  externalAccountKeys: createExternalAccountKeyStore,
  accounts: createAccountStore,
  orders: createOrderStore,
  authorizations: createAuthorizationStore,
  certificates: createCertificateStore,
  nonces: createNonceStore,
  caMaterials: createCaMaterialStore,
  metrics: (state, journal) => createMetricStore(state.metrics, journal),
  rateLimits: (state, journal) => createRateLimitStore(state.rateLimits, journal),
};
const STORE_NAMES = Object.keys(FACTORIES) as (keyof AcmeStores)[];

/** Every store at once: the storage's own, which live as long as it does. */
export function createAllStores(state: MemoryState, journal: Journal): AcmeStores {
  const stores: { -readonly [K in keyof AcmeStores]?: AcmeStores[K] } = {};
  // `as never`: TypeScript cannot pair each name with its factory inside one loop.
  for (const name of STORE_NAMES) stores[name] = FACTORIES[name](state, journal) as never;
  // Complete: FACTORIES has a member for every store.
  return stores as AcmeStores;
}

/**
 * One set of stores for a transaction, each made on first use: a transaction touches two or
 * three of the eleven, and making all of them (hundreds of closures) was most of an empty
 * transaction's cost.
 */
export function createStores(state: MemoryState, journal: Journal): AcmeStores {
  // The getters are defined on the prototype below, one per store name.
  return new LazyStores(state, journal) as unknown as AcmeStores;
}

/** Getters on the prototype: making one costs three fields, whatever the number of stores. */
class LazyStores {
  readonly #state: MemoryState;
  readonly #journal: Journal;
  readonly #made: { -readonly [K in keyof AcmeStores]?: AcmeStores[K] } = {};

  constructor(state: MemoryState, journal: Journal) {
    this.#state = state;
    this.#journal = journal;
  }

  store<K extends keyof AcmeStores>(name: K): AcmeStores[K] {
    const made = this.#made[name];
    if (made !== undefined) return made as AcmeStores[K];
    const store = FACTORIES[name](this.#state, this.#journal);
    this.#made[name] = store;
    return store;
  }
}

for (const name of STORE_NAMES) {
  Object.defineProperty(LazyStores.prototype, name, {
    get(this: LazyStores) {
      return this.store(name);
    },
  });
}
