import type {
  Account,
  Authorization,
  CertificateRecord,
  DomainValidation,
  Endpoint,
  ExternalAccountKey,
  Order,
} from "@acme-endpoints/core";
import { InventoryIndex } from "./inventory-index.js";
import type { Journal } from "./journal.js";
import { MetricSeries } from "./metric-store.js";
import type { NonceMap } from "./nonce-queue.js";
import { NonceQueue } from "./nonce-queue.js";
import type { RateLimitTats } from "./rate-limit-store.js";

/**
 * Everything scoped to one endpoint, in one object: deleting an endpoint drops it whole (O(1)),
 * and rolling that delete back puts it back whole.
 */
export interface EndpointScope {
  readonly domainValidations: Map<string, DomainValidation>;
  readonly externalAccountKeys: Map<string, ExternalAccountKey>;
  readonly accounts: Map<string, Account>;
  readonly accountsByThumbprint: Map<string, Account>;
  readonly orders: Map<string, Order>;
  /** Each account's order ids in insertion order: `listByAccount` pages by position. */
  readonly orderIdsByAccount: Map<string, string[]>;
  readonly authorizations: Map<string, Authorization>;
  readonly nonces: NonceMap;
}

export interface MemoryState {
  readonly endpoints: Map<string, Endpoint>;
  /** The same endpoints sorted by `createdAt`, then `id`: the order `list` pages through. */
  readonly endpointsInOrder: Endpoint[];
  /** idempotency token → endpoint id. */
  readonly endpointIdsByIdempotencyToken: Map<string, string>;
  readonly scopes: Map<string, EndpointScope>;
  /** By serial, unique across the server; kept when their endpoint is deleted. */
  readonly certificates: Map<string, CertificateRecord>;
  /** endpointId → orderId → serial: one certificate per order. */
  readonly certificateSerialsByOrder: Map<string, Map<string, string>>;
  readonly nonceQueue: NonceQueue;
  readonly caMaterials: Map<string, string>;
  /** Inventory order and renewal lookups over `certificates` (kept by the certificate store). */
  readonly inventory: InventoryIndex;
  readonly metrics: MetricSeries;
  readonly rateLimits: RateLimitTats;
}

export function createState(maxNonces: number): MemoryState {
  return {
    endpoints: new Map(),
    endpointsInOrder: [],
    endpointIdsByIdempotencyToken: new Map(),
    scopes: new Map(),
    certificates: new Map(),
    certificateSerialsByOrder: new Map(),
    nonceQueue: new NonceQueue(maxNonces),
    caMaterials: new Map(),
    inventory: new InventoryIndex(),
    metrics: new MetricSeries(),
    rateLimits: { tats: new Map(), sincePrune: 0 },
  };
}

/**
 * The endpoint's scope, made on its first write. Reads never make one, so looking up unknown
 * endpoints costs no memory. Writes do not check that the endpoint exists (nor does the port ask
 * them to); a scope without an endpoint goes when `endpoints.delete` is called for its id.
 */
export function scopeFor(state: MemoryState, endpointId: string): EndpointScope {
  let scope = state.scopes.get(endpointId);
  if (scope === undefined) {
    scope = {
      domainValidations: new Map(),
      externalAccountKeys: new Map(),
      accounts: new Map(),
      accountsByThumbprint: new Map(),
      orders: new Map(),
      orderIdsByAccount: new Map(),
      authorizations: new Map(),
      nonces: new Map(),
    };
    state.scopes.set(endpointId, scope);
  }
  return scope;
}

/** `setRow`, journaled: a rollback puts `previous` back. */
export function writeRow<R>(
  journal: Journal,
  rows: Map<string, R>,
  key: string,
  previous: R | undefined,
  next: R | undefined,
): void {
  setRow(rows, key, next);
  if (journal.keeps) journal.record(() => setRow(rows, key, previous));
}

/** Sets `key` to `next`, or deletes it when `next` is undefined. */
export function setRow<R>(rows: Map<string, R>, key: string, next: R | undefined): void {
  if (next === undefined) rows.delete(key);
  else rows.set(key, next);
}
