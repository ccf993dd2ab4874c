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
  const endpoints = once(() => createEndpointStore(state, journal));
  const domainValidations = once(() => createDomainValidationStore(state, journal));
  const externalAccountKeys = once(() => createExternalAccountKeyStore(state, journal));
  const accounts = once(() => createAccountStore(state, journal));
  const orders = once(() => createOrderStore(state, journal));
  const authorizations = once(() => createAuthorizationStore(state, journal));
  const certificates = once(() => createCertificateStore(state, journal));
  const nonces = once(() => createNonceStore(state, journal));
  const caMaterials = once(() => createCaMaterialStore(state, journal));
  const metrics = once(() => createMetricStore(state.metrics, journal));
  const rateLimits = once(() => createRateLimitStore(state.rateLimits, journal));
  return {
    get endpoints() {
      return endpoints();
    },
    get domainValidations() {
      return domainValidations();
    },
    get externalAccountKeys() {
      return externalAccountKeys();
    },
    get accounts() {
      return accounts();
    },
    get orders() {
      return orders();
    },
    get authorizations() {
      return authorizations();
    },
    get certificates() {
      return certificates();
    },
    get nonces() {
      return nonces();
    },
    get caMaterials() {
      return caMaterials();
    },
    get metrics() {
      return metrics();
    },
    get rateLimits() {
      return rateLimits();
    },
  };
}

/** `make()` on the first call, the same value after. */
function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => {
    if (value === undefined) value = make();
    return value;
  };
}
