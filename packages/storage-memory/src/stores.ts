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

/** One set of stores over `state`, whose writes are reported to `journal`. */
export function createStores(state: MemoryState, journal: Journal): AcmeStores {
  return {
    endpoints: createEndpointStore(state, journal),
    domainValidations: createDomainValidationStore(state, journal),
    externalAccountKeys: createExternalAccountKeyStore(state, journal),
    accounts: createAccountStore(state, journal),
    orders: createOrderStore(state, journal),
    authorizations: createAuthorizationStore(state, journal),
    certificates: createCertificateStore(state, journal),
    nonces: createNonceStore(state, journal),
    caMaterials: createCaMaterialStore(state, journal),
    metrics: createMetricStore(state.metrics, journal),
    rateLimits: createRateLimitStore(state.rateLimits, journal),
  };
}
