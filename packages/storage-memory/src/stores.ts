import type { AcmeStores } from "@acme-endpoints/core";
import { createAccountStore } from "./account-store.js";
import { createAuthorizationStore } from "./authorization-store.js";
import { createCaMaterialStore } from "./ca-material-store.js";
import { createCertificateStore } from "./certificate-store.js";
import { createDomainValidationStore } from "./domain-validation-store.js";
import { createEndpointStore } from "./endpoint-store.js";
import { createExternalAccountKeyStore } from "./external-account-key-store.js";
import type { Journal } from "./journal.js";
import { createMetricStore } from "./metric-store.js";
import { createNonceStore } from "./nonce-store.js";
import { createOrderStore } from "./order-store.js";
import { createRateLimitStore } from "./rate-limit-store.js";
import type { MemoryState } from "./state.js";

/**
 * One set of stores over `state`, whose writes are reported to `journal`. Each store is made on
 * first use: a transaction touches two or three of the eleven, and making all of them (hundreds
 * of closures) was most of an empty transaction's cost.
 */
export function createStores(state: MemoryState, journal: Journal): AcmeStores {
  return new LazyStores(state, journal);
}

/** Getters on the prototype: making one costs two fields, whatever the number of stores. */
class LazyStores implements AcmeStores {
  readonly #state: MemoryState;
  readonly #journal: Journal;
  readonly #made: { -readonly [K in keyof AcmeStores]?: AcmeStores[K] } = {};

  constructor(state: MemoryState, journal: Journal) {
    this.#state = state;
    this.#journal = journal;
  }

  get endpoints(): AcmeStores["endpoints"] {
    let store = this.#made.endpoints;
    if (store === undefined) {
      store = createEndpointStore(this.#state, this.#journal);
      this.#made.endpoints = store;
    }
    return store;
  }

  get domainValidations(): AcmeStores["domainValidations"] {
    let store = this.#made.domainValidations;
    if (store === undefined) {
      store = createDomainValidationStore(this.#state, this.#journal);
      this.#made.domainValidations = store;
    }
    return store;
  }

  get externalAccountKeys(): AcmeStores["externalAccountKeys"] {
    let store = this.#made.externalAccountKeys;
    if (store === undefined) {
      store = createExternalAccountKeyStore(this.#state, this.#journal);
      this.#made.externalAccountKeys = store;
    }
    return store;
  }

  get accounts(): AcmeStores["accounts"] {
    let store = this.#made.accounts;
    if (store === undefined) {
      store = createAccountStore(this.#state, this.#journal);
      this.#made.accounts = store;
    }
    return store;
  }

  get orders(): AcmeStores["orders"] {
    let store = this.#made.orders;
    if (store === undefined) {
      store = createOrderStore(this.#state, this.#journal);
      this.#made.orders = store;
    }
    return store;
  }

  get authorizations(): AcmeStores["authorizations"] {
    let store = this.#made.authorizations;
    if (store === undefined) {
      store = createAuthorizationStore(this.#state, this.#journal);
      this.#made.authorizations = store;
    }
    return store;
  }

  get certificates(): AcmeStores["certificates"] {
    let store = this.#made.certificates;
    if (store === undefined) {
      store = createCertificateStore(this.#state, this.#journal);
      this.#made.certificates = store;
    }
    return store;
  }

  get nonces(): AcmeStores["nonces"] {
    let store = this.#made.nonces;
    if (store === undefined) {
      store = createNonceStore(this.#state, this.#journal);
      this.#made.nonces = store;
    }
    return store;
  }

  get caMaterials(): AcmeStores["caMaterials"] {
    let store = this.#made.caMaterials;
    if (store === undefined) {
      store = createCaMaterialStore(this.#state, this.#journal);
      this.#made.caMaterials = store;
    }
    return store;
  }

  get metrics(): AcmeStores["metrics"] {
    let store = this.#made.metrics;
    if (store === undefined) {
      store = createMetricStore(this.#state.metrics, this.#journal);
      this.#made.metrics = store;
    }
    return store;
  }

  get rateLimits(): AcmeStores["rateLimits"] {
    let store = this.#made.rateLimits;
    if (store === undefined) {
      store = createRateLimitStore(this.#state.rateLimits, this.#journal);
      this.#made.rateLimits = store;
    }
    return store;
  }
}
