import type {
  AccountStore,
  AcmeStores,
  AuthorizationStore,
  CaMaterialStore,
  CertificateStore,
  DomainValidationStore,
  EndpointStore,
  ExternalAccountKeyStore,
  MetricStore,
  NonceStore,
  OrderStore,
  RateLimitStore,
} from "@acme-endpoints/core";
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
  return new LazyStores(state, journal);
}

/**
 * A getter and a field per store, written out: making one costs one object, and each getter
 * reads its own field (no lookup by a store's name, which V8 cannot specialise).
 */
class LazyStores implements AcmeStores {
  readonly #state: MemoryState;
  readonly #journal: Journal;
  #endpoints: EndpointStore | undefined;
  #domainValidations: DomainValidationStore | undefined;
  #externalAccountKeys: ExternalAccountKeyStore | undefined;
  #accounts: AccountStore | undefined;
  #orders: OrderStore | undefined;
  #authorizations: AuthorizationStore | undefined;
  #certificates: CertificateStore | undefined;
  #nonces: NonceStore | undefined;
  #caMaterials: CaMaterialStore | undefined;
  #metrics: MetricStore | undefined;
  #rateLimits: RateLimitStore | undefined;

  constructor(state: MemoryState, journal: Journal) {
    this.#state = state;
    this.#journal = journal;
  }

  get endpoints(): EndpointStore {
    if (this.#endpoints === undefined) this.#endpoints = FACTORIES.endpoints(this.#state, this.#journal);
    return this.#endpoints;
  }
  get domainValidations(): DomainValidationStore {
    if (this.#domainValidations === undefined)
      this.#domainValidations = FACTORIES.domainValidations(this.#state, this.#journal);
    return this.#domainValidations;
  }
  get externalAccountKeys(): ExternalAccountKeyStore {
    if (this.#externalAccountKeys === undefined)
      this.#externalAccountKeys = FACTORIES.externalAccountKeys(this.#state, this.#journal);
    return this.#externalAccountKeys;
  }
  get accounts(): AccountStore {
    if (this.#accounts === undefined) this.#accounts = FACTORIES.accounts(this.#state, this.#journal);
    return this.#accounts;
  }
  get orders(): OrderStore {
    if (this.#orders === undefined) this.#orders = FACTORIES.orders(this.#state, this.#journal);
    return this.#orders;
  }
  get authorizations(): AuthorizationStore {
    if (this.#authorizations === undefined)
      this.#authorizations = FACTORIES.authorizations(this.#state, this.#journal);
    return this.#authorizations;
  }
  get certificates(): CertificateStore {
    if (this.#certificates === undefined)
      this.#certificates = FACTORIES.certificates(this.#state, this.#journal);
    return this.#certificates;
  }
  get nonces(): NonceStore {
    if (this.#nonces === undefined) this.#nonces = FACTORIES.nonces(this.#state, this.#journal);
    return this.#nonces;
  }
  get caMaterials(): CaMaterialStore {
    if (this.#caMaterials === undefined)
      this.#caMaterials = FACTORIES.caMaterials(this.#state, this.#journal);
    return this.#caMaterials;
  }
  get metrics(): MetricStore {
    if (this.#metrics === undefined) this.#metrics = FACTORIES.metrics(this.#state, this.#journal);
    return this.#metrics;
  }
  get rateLimits(): RateLimitStore {
    if (this.#rateLimits === undefined) this.#rateLimits = FACTORIES.rateLimits(this.#state, this.#journal);
    return this.#rateLimits;
  }
}
