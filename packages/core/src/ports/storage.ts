import type { ResultAsync } from "neverthrow";
import type {
  Account,
  Authorization,
  CertificateRecord,
  DomainValidation,
  Endpoint,
  ExternalAccountKey,
  Order,
} from "../domain/types.js";

/**
 * What a storage driver may answer besides a value.
 * - `conflict`: a versioned update whose `version` is stale, or an insert that breaks a
 *   uniqueness rule (same id, same account key thumbprint in one endpoint, same serial).
 * - `invalid`: the request itself is unusable: a page cursor this driver did not make, a limit
 *   out of range. Callers answer it as the client's mistake (400), not as a server failure.
 * - `failure`: the driver itself failed (I/O, disk full, read-only database). The message is
 *   for logs; the ACME layer answers `serverInternal` without echoing it.
 *
 * Rules every driver keeps (the conformance suite checks them):
 * - ids of scoped records (accounts, orders, …) are unique within their endpoint; certificate
 *   serials across the server;
 * - a versioned update of a missing record is a `conflict`, and creates nothing;
 * - `id`, `endpointId`, an order's `accountId` and a certificate's `orderId` never change;
 * - a nonce is good while `now <= expiresAt`;
 * - `transaction` never rejects: a throwing work answers `failure`.
 */
export type StorageError =
  | { readonly type: "conflict"; readonly message: string }
  | { readonly type: "invalid"; readonly message: string }
  | { readonly type: "failure"; readonly message: string; readonly cause?: unknown };

export type StorageResult<T> = ResultAsync<T, StorageError>;

/** A page of a listing; `next` is an opaque cursor, absent on the last page. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly next?: string;
}

export interface PageRequest {
  /** 1..1000 */
  readonly limit: number;
  /** A cursor from a previous page's `next`. */
  readonly after?: string;
}

/*
 * Versioned updates: the caller passes the record as it read it, with its changes; the driver
 * stores it with `version + 1` only if the stored version still equals the given `version`,
 * else answers `conflict`. It returns the record as stored.
 */

export interface EndpointStore {
  /** `conflict` when the id, or the `idempotency.token`, is taken. */
  insert(endpoint: Endpoint): StorageResult<Endpoint>;
  get(id: string): StorageResult<Endpoint | undefined>;
  getByIdempotencyToken(token: string): StorageResult<Endpoint | undefined>;
  /** Ordered by `createdAt`, then `id`. */
  list(page: PageRequest): StorageResult<Page<Endpoint>>;
  update(endpoint: Endpoint): StorageResult<Endpoint>;
  /**
   * Removes the endpoint and everything scoped to it (domain validations, external account keys,
   * accounts, orders, authorizations, nonces). Issued certificate records are kept for the
   * inventory, each marked `endpointDeleted: true` (version + 1). Answers `false` when there was
   * no such endpoint.
   */
  delete(id: string): StorageResult<boolean>;
}

export interface DomainValidationStore {
  insert(domain: DomainValidation): StorageResult<DomainValidation>;
  get(endpointId: string, id: string): StorageResult<DomainValidation | undefined>;
  listByEndpoint(endpointId: string): StorageResult<readonly DomainValidation[]>;
  update(domain: DomainValidation): StorageResult<DomainValidation>;
  delete(endpointId: string, id: string): StorageResult<boolean>;
}

export interface AccountStore {
  /** `conflict` when the endpoint already has an account with this key thumbprint. */
  insert(account: Account): StorageResult<Account>;
  get(endpointId: string, id: string): StorageResult<Account | undefined>;
  getByThumbprint(endpointId: string, thumbprint: string): StorageResult<Account | undefined>;
  /** Versioned; `conflict` also when a changed thumbprint is taken in the endpoint. */
  update(account: Account): StorageResult<Account>;
}

export interface OrderStore {
  insert(order: Order): StorageResult<Order>;
  get(endpointId: string, id: string): StorageResult<Order | undefined>;
  update(order: Order): StorageResult<Order>;
  /** An account's orders, oldest first. */
  listByAccount(endpointId: string, accountId: string, page: PageRequest): StorageResult<Page<Order>>;
}

export interface AuthorizationStore {
  insert(authorization: Authorization): StorageResult<Authorization>;
  get(endpointId: string, id: string): StorageResult<Authorization | undefined>;
  update(authorization: Authorization): StorageResult<Authorization>;
}

export interface CertificateStore {
  /**
   * `conflict` when the serial exists, or when a certificate for the same order exists.
   *
   * Renewal: in the same atomic step, every certificate of the same endpoint with the same
   * identifier set (see `identifierSetKey`) that has no `renewedBy` yet gets
   * `renewedBy: <the new serial>` (version + 1). The new certificate is the later one by
   * definition: it was inserted later.
   */
  insert(certificate: CertificateRecord): StorageResult<CertificateRecord>;
  get(endpointId: string, serial: string): StorageResult<CertificateRecord | undefined>;
  update(certificate: CertificateRecord): StorageResult<CertificateRecord>;
  /** The certificate with this serial, whatever its endpoint (serials are unique server-wide). */
  findBySerial(serial: string): StorageResult<CertificateRecord | undefined>;
  /**
   * The inventory: certificates matching every filter given, ordered by `notAfter`, then
   * `serial`, a page at a time (a deleted endpoint's certificates included).
   */
  list(filter: CertificateFilter, page: PageRequest): StorageResult<Page<CertificateRecord>>;
  /** Counts over the inventory (one endpoint's, or all), as of `now`. */
  summary(input: { readonly endpointId?: string; readonly now: string }): StorageResult<CertificateSummary>;
}

/**
 * Inventory status as of `now`: `valid` (status valid, notAfter > now), `expired` (status valid,
 * notAfter <= now), `revoked`.
 */
export type InventoryStatus = "valid" | "expired" | "revoked";

export interface CertificateFilter {
  readonly endpointId?: string;
  readonly status?: InventoryStatus;
  /** Only certificates whose `notAfter` is before this ISO 8601 instant. */
  readonly expiringBefore?: string;
  /** Only certificates carrying this tag key (with this value, when given). */
  readonly tag?: { readonly key: string; readonly value?: string };
  /** ISO 8601: what `status` is judged against. */
  readonly now: string;
}

/**
 * Counts as of `now`. Each certificate is in exactly one bucket of each group:
 * - `byStatus` as `InventoryStatus`;
 * - `expiry` (revoked certificates are not on the timeline): notAfter <= now is `expired`,
 *   then `within7Days` (<= now + 7 days), `within30Days`, `within60Days`, `later`;
 * - `renewal`, first match wins: `renewed` (renewedBy set), `revoked`, `overdue` (expired),
 *   `due` (expires within 30 days), `current`.
 */
export interface CertificateSummary {
  readonly total: number;
  readonly byStatus: { readonly valid: number; readonly expired: number; readonly revoked: number };
  readonly expiry: {
    readonly expired: number;
    readonly within7Days: number;
    readonly within30Days: number;
    readonly within60Days: number;
    readonly later: number;
  };
  readonly renewal: {
    readonly renewed: number;
    readonly revoked: number;
    readonly overdue: number;
    readonly due: number;
    readonly current: number;
  };
}

/** The issuance metrics of the seed's Monitoring tab, counted per endpoint. */
export type IssuanceMetric = "CertificateIssuanceSuccess" | "CertificateIssuanceFailed";

/** Bucket lengths in seconds: a minute, an hour, a day (UTC). */
export type MetricPeriod = 60 | 3600 | 86400;

export const METRIC_PERIODS: readonly MetricPeriod[] = [60, 3600, 86400];

export interface MetricIncrement {
  readonly endpointId: string;
  readonly metric: IssuanceMetric;
  /** A failure reason (IssuanceFailureReason); "" for none. */
  readonly reason: string;
  readonly at: Date;
  /** Default 1. */
  readonly by?: number;
}

export interface MetricQuery {
  readonly endpointId: string;
  readonly metric: IssuanceMetric;
  readonly period: MetricPeriod;
  /** Buckets whose start is in [from rounded down to the period, to). */
  readonly from: Date;
  readonly to: Date;
}

export interface MetricBucket {
  /** ISO 8601 start of the bucket (a multiple of the period since the epoch, UTC). */
  readonly start: string;
  readonly reason: string;
  readonly count: number;
}

/** Counters in time buckets, kept through restarts: they serve the Monitoring graphs. */
export interface MetricStore {
  /**
   * Adds `by` to the minute, the hour and the day bucket of `at` (creating them), all three or
   * none. Concurrent increments all count.
   */
  increment(input: MetricIncrement): StorageResult<void>;
  /** The non-empty buckets in range, ordered by start, then reason. */
  list(query: MetricQuery): StorageResult<readonly MetricBucket[]>;
}

/** The ISO start of the `period` bucket holding `at`. */
export function bucketStart(at: Date, period: MetricPeriod): string {
  const ms = period * 1000;
  return new Date(Math.floor(at.getTime() / ms) * ms).toISOString();
}

/**
 * The identifier set of a certificate as one string: `type:value` in lower case, sorted, joined
 * by ",". Two certificates renew one another when their keys are equal.
 */
export function identifierSetKey(identifiers: readonly { type: string; value: string }[]): string {
  return [...new Set(identifiers.map((i) => `${i.type}:${i.value}`.toLowerCase()))].sort().join(",");
}

export interface RateLimitTake {
  readonly key: string;
  /** Burst size: a positive integer. */
  readonly count: number;
  /** Positive: `count` more requests are allowed per `windowMs`, one every `windowMs / count`. */
  readonly windowMs: number;
  readonly now: Date;
}

export interface RateLimitTaken {
  readonly allowed: boolean;
  /** 0 when allowed; else the milliseconds (rounded up) until one more take would be allowed. */
  readonly retryAfterMs: number;
}

/**
 * Rate limit state shared by every server on the storage (GCRA, one theoretical arrival time
 * `tat` per key, as `createMemoryRateLimiter`): several instances then count together.
 */
export interface RateLimitStore {
  /**
   * Atomically, per key and across processes sharing the storage: allowed when
   * `max(tat, now) + windowMs / count - now <= windowMs`, and then `tat` moves to that sum; a
   * refused take changes nothing. Keys whose `tat` has passed are as good as new, so a driver
   * may delete them (each driver prunes a bounded batch now and then).
   */
  take(input: RateLimitTake): StorageResult<RateLimitTaken>;
}

const GCRA_TOLERANCE_MS = 1e-3;

/** The GCRA step both drivers (and `createMemoryRateLimiter`) share: the new `tat` when allowed, else how long to wait. */
export function gcraStep(
  storedTat: number | undefined,
  input: RateLimitTake,
):
  | { readonly allowed: true; readonly tat: number }
  | { readonly allowed: false; readonly retryAfterMs: number } {
  const t = input.now.getTime();
  const next = Math.max(storedTat ?? t, t) + input.windowMs / input.count;
  const over = next - t - input.windowMs;
  // Sums of a fractional interval drift (7 × 1000/7 is a hair over 1000): below a microsecond
  // of excess is rounding, not a request too many, or a burst of `count` would be refused.
  return over > GCRA_TOLERANCE_MS
    ? { allowed: false, retryAfterMs: Math.ceil(over) }
    : { allowed: true, tat: next };
}

/** Why a take is unusable (`invalid`), or undefined when it is fine. */
export function rateLimitTakeProblem(input: RateLimitTake): StorageError | undefined {
  if (typeof input.key !== "string") return { type: "invalid", message: "`key` must be a string" };
  if (!Number.isSafeInteger(input.count) || input.count < 1)
    return { type: "invalid", message: `\`count\` must be a positive integer, not ${input.count}` };
  if (!Number.isFinite(input.windowMs) || input.windowMs <= 0)
    return { type: "invalid", message: `\`windowMs\` must be positive, not ${input.windowMs}` };
  if (!(input.now instanceof Date) || Number.isNaN(input.now.getTime()))
    return { type: "invalid", message: "`now` is not a valid date" };
  return undefined;
}

export interface ExternalAccountKeyStore {
  /** `conflict` when the key id exists in the endpoint. */
  insert(key: ExternalAccountKey): StorageResult<ExternalAccountKey>;
  get(endpointId: string, keyId: string): StorageResult<ExternalAccountKey | undefined>;
  listByEndpoint(endpointId: string): StorageResult<readonly ExternalAccountKey[]>;
  update(key: ExternalAccountKey): StorageResult<ExternalAccountKey>;
}

export interface NonceStore {
  insert(endpointId: string, nonce: string, expiresAt: Date): StorageResult<void>;
  /**
   * Atomically removes the nonce and answers whether it existed for this endpoint and had not
   * expired at `now`. Two concurrent consumes of one nonce: exactly one gets `true`.
   */
  consume(endpointId: string, nonce: string, now: Date): StorageResult<boolean>;
}

/** Named blobs a certificate authority keeps (its keys and certificates, PEM). */
export interface CaMaterialStore {
  get(name: string): StorageResult<string | undefined>;
  /** Stores `value` unless `name` exists; answers the value stored under `name` afterwards. */
  putIfAbsent(name: string, value: string): StorageResult<string>;
}

export interface AcmeStores {
  readonly endpoints: EndpointStore;
  readonly domainValidations: DomainValidationStore;
  readonly externalAccountKeys: ExternalAccountKeyStore;
  readonly accounts: AccountStore;
  readonly orders: OrderStore;
  readonly authorizations: AuthorizationStore;
  readonly certificates: CertificateStore;
  readonly nonces: NonceStore;
  readonly caMaterials: CaMaterialStore;
  readonly metrics: MetricStore;
  readonly rateLimits: RateLimitStore;
}

/** The storage port every driver implements (memory, SQLite, PostgreSQL). */
export interface AcmeStorage extends AcmeStores {
  /**
   * Runs `work` so that its writes land all together or not at all: when `work` answers an
   * error (or throws), nothing it wrote is kept. Transactions do not nest.
   */
  transaction<T, E>(work: (tx: AcmeStores) => ResultAsync<T, E>): ResultAsync<T, E | StorageError>;
  /** Releases resources (file handles, pools). */
  close?(): Promise<void>;
}
