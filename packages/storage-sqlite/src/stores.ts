import type { AcmeStores } from "@acme-endpoints/core";
import { createAccountStore } from "./account-store.js";
import { createAuthorizationStore } from "./authorization-store.js";
import { createCaMaterialStore } from "./ca-material-store.js";
import { createCertificateStore } from "./certificate-store.js";
import type { Connection, Runner } from "./connection.js";
import { createDomainValidationStore } from "./domain-validation-store.js";
import { createEndpointStore } from "./endpoint-store.js";
import { createExternalAccountKeyStore } from "./external-account-key-store.js";
import { createMetricStore } from "./metric-store.js";
import { createNonceStore } from "./nonce-store.js";
import { createOrderStore } from "./order-store.js";
import { createRateLimitStore } from "./rate-limit-store.js";

/** One set of stores over `connection`, whose operations `runner` runs. */
export function createStores(connection: Connection, runner: Runner): AcmeStores {
  return {
    endpoints: createEndpointStore(connection, runner),
    domainValidations: createDomainValidationStore(connection, runner),
    externalAccountKeys: createExternalAccountKeyStore(connection, runner),
    accounts: createAccountStore(connection, runner),
    orders: createOrderStore(connection, runner),
    authorizations: createAuthorizationStore(connection, runner),
    certificates: createCertificateStore(connection, runner),
    nonces: createNonceStore(connection, runner),
    caMaterials: createCaMaterialStore(connection, runner),
    metrics: createMetricStore(connection, runner),
    rateLimits: createRateLimitStore(connection, runner),
  };
}
