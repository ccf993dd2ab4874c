/**
 * Builders of valid records for tests. Each answers a record with its optional fields absent;
 * pass `overrides` for the fields a test cares about. Ids are random UUIDs (drivers may keep
 * ids in `uuid` columns), and every call is one second later than the previous one, so records
 * built in a row are also in `createdAt` order whatever a driver sorts by.
 */
import type {
  Account,
  Authorization,
  CertificateRecord,
  DomainValidation,
  Endpoint,
  ExternalAccountKey,
  Order,
} from "../domain/types.js";

const BASE_TIME = Date.parse("2025-01-01T00:00:00.000Z");
const DAY = 86_400_000;
let ticks = 0;

function nextTime(): number {
  ticks += 1;
  return BASE_TIME + ticks * 1000;
}

function iso(time: number): string {
  return new Date(time).toISOString();
}

function randomBase64url(bytes: number): string {
  const binary = String.fromCharCode(...crypto.getRandomValues(new Uint8Array(bytes)));
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Lower-case hex, positive, without leading zeros, like a serial a CA issues. */
function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x10;
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

export function makeEndpoint(overrides: Partial<Endpoint> = {}): Endpoint {
  const id = overrides.id ?? crypto.randomUUID();
  const createdAt = iso(nextTime());
  return {
    id,
    arn: `arn:acme-endpoints:local:endpoint/${id}`,
    status: "ACTIVE",
    authorizationBehavior: "PRE_APPROVED",
    contact: "NOT_REQUIRED",
    externalAccountBinding: "NOT_REQUIRED",
    certificateAuthority: {},
    certificateTags: [],
    tags: [],
    createdAt,
    updatedAt: createdAt,
    version: 1,
    ...overrides,
  };
}

export function makeDomainValidation(
  endpoint: Pick<Endpoint, "id">,
  overrides: Partial<DomainValidation> = {},
): DomainValidation {
  return {
    id: crypto.randomUUID(),
    endpointId: endpoint.id,
    domainName: "example.com",
    scope: { exactDomain: true, subdomains: true, wildcards: false },
    status: "PENDING_VALIDATION",
    validationMethod: "MANUAL",
    createdAt: iso(nextTime()),
    version: 1,
    ...overrides,
  };
}

export function makeExternalAccountKey(
  endpoint: Pick<Endpoint, "id">,
  overrides: Partial<ExternalAccountKey> = {},
): ExternalAccountKey {
  return {
    keyId: randomBase64url(12),
    endpointId: endpoint.id,
    hmacKey: randomBase64url(32),
    status: "ACTIVE",
    tags: [],
    createdAt: iso(nextTime()),
    version: 1,
    ...overrides,
  };
}

/** The `jwk` is shaped like a P-256 public key but is random: sign with a real key when it matters. */
export function makeAccount(endpoint: Pick<Endpoint, "id">, overrides: Partial<Account> = {}): Account {
  return {
    id: crypto.randomUUID(),
    endpointId: endpoint.id,
    status: "valid",
    jwk: { kty: "EC", crv: "P-256", x: randomBase64url(32), y: randomBase64url(32) },
    thumbprint: randomBase64url(32),
    contact: [],
    termsOfServiceAgreed: true,
    createdAt: iso(nextTime()),
    version: 1,
    ...overrides,
  };
}

export function makeOrder(
  account: Pick<Account, "endpointId" | "id">,
  overrides: Partial<Order> = {},
): Order {
  const created = nextTime();
  return {
    id: crypto.randomUUID(),
    endpointId: account.endpointId,
    accountId: account.id,
    status: "pending",
    identifiers: [{ type: "dns", value: "www.example.com" }],
    authorizationIds: [],
    expires: iso(created + 7 * DAY),
    createdAt: iso(created),
    version: 1,
    ...overrides,
  };
}

export function makeAuthorization(
  account: Pick<Account, "endpointId" | "id">,
  overrides: Partial<Authorization> = {},
): Authorization {
  const created = nextTime();
  return {
    id: crypto.randomUUID(),
    endpointId: account.endpointId,
    accountId: account.id,
    identifier: { type: "dns", value: "www.example.com" },
    wildcard: false,
    status: "pending",
    expires: iso(created + 7 * DAY),
    challenges: [{ id: crypto.randomUUID(), type: "http-01", status: "pending", token: randomBase64url(32) }],
    createdAt: iso(created),
    version: 1,
    ...overrides,
  };
}

/** `chainPem` is a placeholder, not a parsable certificate. */
export function makeCertificate(
  order: Pick<Order, "endpointId" | "accountId" | "id" | "identifiers">,
  overrides: Partial<CertificateRecord> = {},
): CertificateRecord {
  const created = nextTime();
  return {
    serial: randomSerial(),
    endpointId: order.endpointId,
    accountId: order.accountId,
    orderId: order.id,
    identifiers: order.identifiers.map((identifier) => ({ ...identifier })),
    chainPem: `-----BEGIN CERTIFICATE-----\n${randomBase64url(48)}\n-----END CERTIFICATE-----\n`,
    publicKeyThumbprint: randomBase64url(32),
    keyAlgorithm: "EC_prime256v1",
    notBefore: iso(created),
    notAfter: iso(created + 90 * DAY),
    status: "valid",
    tags: [],
    createdAt: iso(created),
    version: 1,
    ...overrides,
  };
}
