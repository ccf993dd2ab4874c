/**
 * The behaviour every storage driver must show, as a vitest suite a driver's test calls in one
 * line (the unstorage `testDriver()` idea):
 *
 * ```ts
 * describeStorageConformance("memory", { create: () => createMemoryStorage() });
 * ```
 *
 * Choices the port leaves open, made here so that all drivers agree:
 * - An update of a record that does not exist (also: one looked up through another endpoint)
 *   answers `conflict`, like a stale version: a versioned update never creates a record.
 * - A duplicate nonce insert answers `conflict`, like any insert that reuses a key.
 * - A nonce is still good at exactly its `expiresAt`; it has expired once `now > expiresAt`.
 * - A transaction whose work throws (or whose promise rejects) answers `err` with type
 *   `failure`; `transaction()` itself never rejects.
 * - Ids in these tests are UUIDs and times are ISO-8601 strings with milliseconds; a driver must
 *   hand strings back exactly as it got them.
 *
 * The suite only speaks through the port, so it cannot tell drivers apart and never special-cases
 * one. It creates a fresh storage for each test with `create()` and releases it with `destroy()`
 * when given, else with the storage's own `close()`.
 */
import type { Result } from "neverthrow";
import { err, ok, ResultAsync, safeTry } from "neverthrow";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type {
  Account,
  Authorization,
  CertificateRecord,
  DomainValidation,
  Endpoint,
  ExternalAccountKey,
  Order,
} from "../domain/types.js";
import type {
  AcmeStorage,
  AcmeStores,
  Page,
  PageRequest,
  StorageError,
  StorageResult,
} from "../ports/storage.js";
import {
  makeAccount,
  makeAuthorization,
  makeCertificate,
  makeDomainValidation,
  makeEndpoint,
  makeExternalAccountKey,
  makeOrder,
} from "./fixtures.js";
import { describeInventoryConformance } from "./storage-conformance-inventory.js";
import { describeRateLimitConformance } from "./storage-conformance-rate-limits.js";

export interface StorageConformanceOptions {
  /** Fresh, empty storage for each test. */
  create(): Promise<AcmeStorage> | AcmeStorage;
  /** Optional cleanup; without it the suite calls the storage's `close()`, if any. */
  destroy?(storage: AcmeStorage): Promise<void> | void;
}

export function describeStorageConformance(name: string, options: StorageConformanceOptions): void {
  describe(`storage conformance: ${name}`, () => {
    let current: AcmeStorage | undefined;
    const storage = (): AcmeStorage => {
      if (current === undefined) throw new Error("the storage was not created");
      return current;
    };

    beforeEach(async () => {
      current = await options.create();
    });
    afterEach(async () => {
      const done = current;
      current = undefined;
      if (done === undefined) return;
      if (options.destroy) await options.destroy(done);
      else await done.close?.();
    });

    describeRecordCase(endpointCase, storage);
    describeRecordCase(domainValidationCase, storage);
    describeRecordCase(accountCase, storage);
    describeRecordCase(orderCase, storage);
    describeRecordCase(authorizationCase, storage);
    describeRecordCase(certificateCase, storage);
    describeRecordCase(externalAccountKeyCase, storage);
    describeIdempotencyTokens(storage);
    describePagingInput(storage);
    describeExternalAccountKeys(storage);
    describeEndpointListing(storage);
    describeEndpointDelete(storage);
    describeDomainValidations(storage);
    describeAccountThumbprints(storage);
    describeOrderListing(storage);
    describeCertificateUniqueness(storage);
    describeNonces(storage);
    describeCaMaterials(storage);
    describeTransactions(storage);
    describeConcurrency(storage);
    describeInventoryConformance(storage);
    describeRateLimitConformance(storage);
  });
}

type StorageGetter = () => AcmeStorage;

// ---------------------------------------------------------------------------------------------
// Helpers (test-only: throwing here fails the test, which is the point)

/** The value of an ok answer; fails the test with the error otherwise. */
async function value<T, E>(result: Result<T, E> | PromiseLike<Result<T, E>>): Promise<T> {
  const answer = await result;
  if (answer.isErr()) throw new Error(`expected ok, got err ${describeValue(answer.error)}`);
  return answer.value;
}

/** The error of an err answer; fails the test with the value otherwise. */
async function errorOf<T, E>(result: Result<T, E> | PromiseLike<Result<T, E>>): Promise<E> {
  const answer = await result;
  if (answer.isOk()) throw new Error(`expected err, got ok ${describeValue(answer.value)}`);
  return answer.error;
}

async function expectConflict<T>(result: PromiseLike<Result<T, StorageError>>): Promise<void> {
  expect((await errorOf(result)).type).toBe("conflict");
}

function describeValue(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function oks<T, E>(results: readonly Result<T, E>[]): T[] {
  return results.flatMap((result) => (result.isOk() ? [result.value] : []));
}

function errs<T, E>(results: readonly Result<T, E>[]): E[] {
  return results.flatMap((result) => (result.isErr() ? [result.error] : []));
}

/** Fails fast, instead of at the test timeout, when a driver never settles (a lock never released). */
async function within<T>(ms: number, what: string, promise: PromiseLike<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Follows `next` cursors from the first page to the last. */
async function allPages<T>(
  list: (page: PageRequest) => StorageResult<Page<T>>,
  limit: number,
): Promise<Page<T>[]> {
  const pages: Page<T>[] = [];
  let after: string | undefined;
  do {
    const page = await value(list(after === undefined ? { limit } : { limit, after }));
    pages.push(page);
    after = page.next;
    // A driver whose cursor loops would hang the suite.
    if (pages.length > 100) throw new Error("more than 100 pages: the cursor does not advance");
  } while (after !== undefined);
  return pages;
}

/**
 * Mutates everything reachable from `value` that the runtime lets it mutate (frozen objects throw
 * in strict mode, which is fine: that is one way to keep stored state safe).
 */
function scribble(value: unknown): void {
  if (value === null || typeof value !== "object") return;
  const target = value as Record<string, unknown>;
  for (const key of Object.keys(target)) {
    scribble(target[key]);
    attempt(() => {
      target[key] = "scribbled";
    });
  }
  if (Array.isArray(value)) attempt(() => value.push("scribbled"));
  attempt(() => {
    target.scribbled = true;
  });
}

function attempt(mutation: () => void): void {
  try {
    mutation();
  } catch {
    // A frozen object refused the mutation.
  }
}

/** A few UUIDs in ascending order, to control the `id` tie-break of listings. */
function ascendingIds(count: number): string[] {
  return Array.from({ length: count }, () => crypto.randomUUID()).sort();
}

function time(minute: number): string {
  return new Date(Date.UTC(2025, 2, 1, 0, minute)).toISOString();
}

const NOW = new Date("2025-06-01T00:00:00.000Z");
const IN_A_MINUTE = new Date(NOW.getTime() + 60_000);

interface Parents {
  readonly endpoint: Endpoint;
  readonly account: Account;
  readonly order: Order;
}

/** An endpoint with one account and one order (no certificate yet). */
async function seed(s: AcmeStorage): Promise<Parents> {
  const endpoint = await value(s.endpoints.insert(makeEndpoint()));
  const account = await value(s.accounts.insert(makeAccount(endpoint)));
  const order = await value(s.orders.insert(makeOrder(account)));
  return { endpoint, account, order };
}

// ---------------------------------------------------------------------------------------------
// Behaviour every record type shares: round trips, keys, versioned updates, endpoint scoping.

interface RecordCase<R extends { readonly version: number }> {
  readonly name: string;
  /** An unsaved record with its optional fields absent (may insert what it hangs off). */
  minimal(s: AcmeStorage, parents: Parents): Promise<R>;
  /** An unsaved record with every optional field, array and nested object set. */
  full(s: AcmeStorage, parents: Parents): Promise<R>;
  insert(s: AcmeStores, record: R): StorageResult<R>;
  get(s: AcmeStores, record: R): StorageResult<R | undefined>;
  update(s: AcmeStores, record: R): StorageResult<R>;
  /** The record with some fields changed, its key and version kept. */
  change(record: R): R;
  /** Another record with the same key that clashes with `record` in nothing else; default `change`. */
  duplicate?(s: AcmeStorage, parents: Parents, record: R): Promise<R>;
  /** The record with its key under another endpoint; absent for records not scoped to one. */
  moveTo?(record: R, endpointId: string): R;
}

function describeRecordCase<R extends { readonly version: number }>(
  c: RecordCase<R>,
  storage: StorageGetter,
): void {
  describe(c.name, () => {
    it("round-trips a record whose optional fields are absent", async () => {
      const s = storage();
      const record = await c.minimal(s, await seed(s));
      expect(await value(c.insert(s, record))).toEqual(record);
      expect(await value(c.get(s, record))).toEqual(record);
    });

    it("round-trips a record with every optional field, array and nested object set", async () => {
      const s = storage();
      const record = await c.full(s, await seed(s));
      expect(await value(c.insert(s, record))).toEqual(record);
      expect(await value(c.get(s, record))).toEqual(record);
    });

    it("answers undefined for a record never inserted", async () => {
      const s = storage();
      const parents = await seed(s);
      await value(c.insert(s, await c.minimal(s, parents)));
      expect(await value(c.get(s, await c.minimal(s, parents)))).toBeUndefined();
    });

    it("refuses a second insert with the same key as a conflict and keeps the first", async () => {
      const s = storage();
      const parents = await seed(s);
      const first = await value(c.insert(s, await c.minimal(s, parents)));
      const second = c.duplicate ? await c.duplicate(s, parents, first) : c.change(first);
      await expectConflict(c.insert(s, second));
      expect(await value(c.get(s, first))).toEqual(first);
    });

    it("keeps stored records apart from the objects callers pass in and get back", async () => {
      const s = storage();
      const record = await c.full(s, await seed(s));
      const original = structuredClone(record);
      const inserted = await value(c.insert(s, record));
      scribble(record);
      scribble(inserted);
      scribble(await value(c.get(s, original)));
      expect(await value(c.get(s, original))).toEqual(original);
    });

    it("stores an update made with the current version as version + 1 and answers it", async () => {
      const s = storage();
      const inserted = await value(c.insert(s, await c.minimal(s, await seed(s))));
      const changed = c.change(inserted);
      const updated = await value(c.update(s, changed));
      expect(updated).toEqual({ ...changed, version: inserted.version + 1 });
      expect(await value(c.get(s, inserted))).toEqual(updated);
      const again = await value(c.update(s, updated));
      expect(again.version).toBe(inserted.version + 2);
      expect(await value(c.get(s, inserted))).toEqual(again);
    });

    it("refuses an update made with a stale or a future version as a conflict, changing nothing", async () => {
      const s = storage();
      const inserted = await value(c.insert(s, await c.minimal(s, await seed(s))));
      const updated = await value(c.update(s, c.change(inserted)));
      await expectConflict(c.update(s, c.change(inserted)));
      await expectConflict(c.update(s, { ...c.change(updated), version: updated.version + 1 }));
      expect(await value(c.get(s, inserted))).toEqual(updated);
    });

    it("refuses an update of a record never inserted as a conflict, without creating it", async () => {
      const s = storage();
      const record = await c.minimal(s, await seed(s));
      await expectConflict(c.update(s, record));
      expect(await value(c.get(s, record))).toBeUndefined();
    });

    const moveTo = c.moveTo;
    if (moveTo === undefined) return;

    it("does not find a record through another endpoint", async () => {
      const s = storage();
      const other = await value(s.endpoints.insert(makeEndpoint()));
      const inserted = await value(c.insert(s, await c.minimal(s, await seed(s))));
      expect(await value(c.get(s, moveTo(inserted, other.id)))).toBeUndefined();
      expect(await value(c.get(s, inserted))).toEqual(inserted);
    });

    it("refuses an update through another endpoint as a conflict", async () => {
      const s = storage();
      const other = await value(s.endpoints.insert(makeEndpoint()));
      const inserted = await value(c.insert(s, await c.minimal(s, await seed(s))));
      await expectConflict(c.update(s, moveTo(c.change(inserted), other.id)));
      expect(await value(c.get(s, inserted))).toEqual(inserted);
      expect(await value(c.get(s, moveTo(inserted, other.id)))).toBeUndefined();
    });
  });
}

const endpointCase: RecordCase<Endpoint> = {
  name: "endpoints",
  minimal: async () => makeEndpoint(),
  full: async () =>
    makeEndpoint({
      status: "FAILED",
      failureReason: "the certificate authority is unreachable",
      contact: "REQUIRED",
      certificateAuthority: { allowedKeyAlgorithms: ["RSA_2048", "EC_secp384r1"] },
      certificateTags: [{ key: "team", value: "pki" }],
      tags: [
        { key: "Name", value: "production" },
        { key: "cost-center", value: "" },
      ],
      externalAccountBinding: "REQUIRED",
      idempotency: { token: crypto.randomUUID(), inputHash: "3q2-7w" },
      updatedAt: "2025-02-01T12:30:00.000Z",
    }),
  insert: (s, record) => s.endpoints.insert(record),
  get: (s, record) => s.endpoints.get(record.id),
  update: (s, record) => s.endpoints.update(record),
  change: (record) => ({
    ...record,
    status: "DELETING",
    tags: [...record.tags, { key: "Name", value: "renamed" }],
    updatedAt: "2025-04-01T00:00:00.000Z",
  }),
};

const externalAccountKeyCase: RecordCase<ExternalAccountKey> = {
  name: "externalAccountKeys",
  minimal: async (_s, { endpoint }) => makeExternalAccountKey(endpoint),
  full: async (_s, { endpoint }) =>
    makeExternalAccountKey(endpoint, {
      status: "REVOKED",
      expiresAt: "2026-01-01T00:00:00.000Z",
      revokedAt: "2025-03-01T00:00:00.000Z",
      lastUsedAt: "2025-02-01T00:00:00.000Z",
      tags: [{ key: "issued-to", value: "ci" }],
    }),
  insert: (s, record) => s.externalAccountKeys.insert(record),
  get: (s, record) => s.externalAccountKeys.get(record.endpointId, record.keyId),
  update: (s, record) => s.externalAccountKeys.update(record),
  change: (record) => ({ ...record, status: "REVOKED", revokedAt: "2025-05-01T00:00:00.000Z" }),
  moveTo: (record, endpointId) => ({ ...record, endpointId }),
};

const domainValidationCase: RecordCase<DomainValidation> = {
  name: "domainValidations",
  minimal: async (_s, { endpoint }) => makeDomainValidation(endpoint),
  full: async (_s, { endpoint }) =>
    makeDomainValidation(endpoint, {
      domainName: "xn--bcher-kva.example",
      scope: { exactDomain: false, subdomains: true, wildcards: true },
      status: "SUCCESS",
      validationMethod: "DNS",
      validationRecord: {
        type: "CNAME",
        name: "_acme-endpoints.xn--bcher-kva.example",
        value: "tok.validation.test",
      },
      validatedAt: "2025-01-02T03:04:05.678Z",
      lastCheckedAt: "2025-01-02T03:04:05.678Z",
      failureReason: "",
    }),
  insert: (s, record) => s.domainValidations.insert(record),
  get: (s, record) => s.domainValidations.get(record.endpointId, record.id),
  update: (s, record) => s.domainValidations.update(record),
  change: (record) => ({ ...record, status: "SUCCESS", validatedAt: "2025-01-03T00:00:00.000Z" }),
  moveTo: (record, endpointId) => ({ ...record, endpointId }),
};

const accountCase: RecordCase<Account> = {
  name: "accounts",
  minimal: async (_s, { endpoint }) => makeAccount(endpoint),
  full: async (_s, { endpoint }) =>
    makeAccount(endpoint, {
      status: "deactivated",
      jwk: {
        kty: "RSA",
        n: "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbf",
        e: "AQAB",
        key_ops: ["verify"],
      },
      contact: ["mailto:admin@example.com", "mailto:security@example.com"],
      termsOfServiceAgreed: false,
      externalAccountBinding: { keyId: "kid-1" },
    }),
  insert: (s, record) => s.accounts.insert(record),
  get: (s, record) => s.accounts.get(record.endpointId, record.id),
  update: (s, record) => s.accounts.update(record),
  change: (record) => ({ ...record, contact: ["mailto:new@example.com"] }),
  // Same id, but a thumbprint of its own, so only the id can clash.
  duplicate: async (_s, { endpoint }, record) => ({
    ...record,
    thumbprint: makeAccount(endpoint).thumbprint,
    contact: ["mailto:other@example.com"],
  }),
  moveTo: (record, endpointId) => ({ ...record, endpointId }),
};

const orderCase: RecordCase<Order> = {
  name: "orders",
  minimal: async (_s, { account }) => makeOrder(account),
  full: async (_s, { account }) =>
    makeOrder(account, {
      status: "valid",
      identifiers: [
        { type: "dns", value: "example.com" },
        { type: "dns", value: "*.example.com" },
      ],
      authorizationIds: [crypto.randomUUID(), crypto.randomUUID()],
      notBefore: "2025-01-01T00:00:00.000Z",
      notAfter: "2025-04-01T00:00:00.000Z",
      error: { type: "urn:ietf:params:acme:error:rejectedIdentifier", detail: "not allowed", status: 400 },
      certificateSerial: "1f2e3d4c5b6a",
      processingSince: "2025-01-01T00:05:00.000Z",
    }),
  insert: (s, record) => s.orders.insert(record),
  get: (s, record) => s.orders.get(record.endpointId, record.id),
  update: (s, record) => s.orders.update(record),
  change: (record) => ({
    ...record,
    status: "ready",
    authorizationIds: [...record.authorizationIds, "added"],
  }),
  moveTo: (record, endpointId) => ({ ...record, endpointId }),
};

const authorizationCase: RecordCase<Authorization> = {
  name: "authorizations",
  minimal: async (_s, { account }) => makeAuthorization(account),
  full: async (_s, { account }) =>
    makeAuthorization(account, {
      identifier: { type: "dns", value: "example.com" },
      wildcard: true,
      status: "valid",
      challenges: [
        {
          id: crypto.randomUUID(),
          type: "dns-01",
          status: "valid",
          token: "tok-1",
          validated: NOW.toISOString(),
        },
        { id: crypto.randomUUID(), type: "http-01", status: "pending", token: "tok-2" },
        { id: crypto.randomUUID(), type: "tls-alpn-01", status: "invalid", token: "tok-3" },
      ],
      domainValidationId: crypto.randomUUID(),
    }),
  insert: (s, record) => s.authorizations.insert(record),
  get: (s, record) => s.authorizations.get(record.endpointId, record.id),
  update: (s, record) => s.authorizations.update(record),
  change: (record) => ({
    ...record,
    status: "valid",
    challenges: record.challenges.map((challenge) => ({
      ...challenge,
      status: "valid",
      validated: NOW.toISOString(),
    })),
  }),
  moveTo: (record, endpointId) => ({ ...record, endpointId }),
};

/** Each certificate gets an order of its own: there is at most one certificate per order. */
async function freshOrder(s: AcmeStorage, { account }: Parents): Promise<Order> {
  return value(s.orders.insert(makeOrder(account)));
}

const certificateCase: RecordCase<CertificateRecord> = {
  name: "certificates",
  minimal: async (s, parents) => makeCertificate(await freshOrder(s, parents)),
  full: async (s, parents) =>
    makeCertificate(await freshOrder(s, parents), {
      identifiers: [
        { type: "dns", value: "example.com" },
        { type: "dns", value: "www.example.com" },
      ],
      status: "revoked",
      revokedAt: "2025-02-02T00:00:00.000Z",
      // 0 (unspecified) is falsy: a driver must keep it, not drop it.
      revocationReason: 0,
      endpointDeleted: true,
      tags: [{ key: "env", value: "prod" }],
    }),
  insert: (s, record) => s.certificates.insert(record),
  get: (s, record) => s.certificates.get(record.endpointId, record.serial),
  update: (s, record) => s.certificates.update(record),
  change: (record) => ({ ...record, status: "revoked", revokedAt: NOW.toISOString(), revocationReason: 4 }),
  // Same serial for another order, so only the serial can clash.
  duplicate: async (s, parents, record) =>
    makeCertificate(await freshOrder(s, parents), { serial: record.serial }),
  moveTo: (record, endpointId) => ({ ...record, endpointId }),
};

// ---------------------------------------------------------------------------------------------
// Endpoints: listing and delete.

function describeEndpointListing(storage: StorageGetter): void {
  describe("endpoints.list", () => {
    it("lists by createdAt, then id, a page at a time; the last page has no next", async () => {
      const s = storage();
      const ties = ascendingIds(3);
      const expected = [
        makeEndpoint({ createdAt: time(1) }),
        ...ties.map((id) => makeEndpoint({ id, createdAt: time(2) })),
        makeEndpoint({ createdAt: time(3) }),
        makeEndpoint({ createdAt: time(4) }),
        makeEndpoint({ createdAt: time(5) }),
      ];
      // The ties go in as second, first, third: neither insertion order nor its reverse is right,
      // and a page boundary falls between two of them.
      for (const index of [4, 2, 6, 1, 0, 3, 5]) await value(s.endpoints.insert(expected[index]!));
      const pages = await allPages((page) => s.endpoints.list(page), 2);
      expect(pages.map((page) => page.items.length)).toEqual([2, 2, 2, 1]);
      expect(pages.flatMap((page) => page.items)).toEqual(expected);
    });

    it("gives no next on a page that ends exactly at the last endpoint", async () => {
      const s = storage();
      for (let i = 0; i < 4; i++) await value(s.endpoints.insert(makeEndpoint()));
      const pages = await allPages((page) => s.endpoints.list(page), 2);
      expect(pages.map((page) => page.items.length)).toEqual([2, 2]);
    });

    it("answers every endpoint in one page when the limit exceeds their number", async () => {
      const s = storage();
      const endpoints = [makeEndpoint(), makeEndpoint(), makeEndpoint()];
      for (const endpoint of endpoints) await value(s.endpoints.insert(endpoint));
      const page = await value(s.endpoints.list({ limit: 10 }));
      expect(page.items).toEqual(endpoints);
      expect(page.next).toBeUndefined();
    });

    it("answers an empty page without next when there are no endpoints", async () => {
      const page = await value(storage().endpoints.list({ limit: 10 }));
      expect(page.items).toEqual([]);
      expect(page.next).toBeUndefined();
    });

    it("answers endpoints as they are stored now", async () => {
      const s = storage();
      const inserted = await value(s.endpoints.insert(makeEndpoint()));
      const updated = await value(s.endpoints.update({ ...inserted, status: "FAILED" }));
      expect((await value(s.endpoints.list({ limit: 10 }))).items).toEqual([updated]);
    });
  });
}

interface Tenant extends Parents {
  readonly domainValidation: DomainValidation;
  readonly externalAccountKey: ExternalAccountKey;
  readonly authorization: Authorization;
  readonly certificate: CertificateRecord;
  readonly nonce: string;
}

/** An endpoint with one record of every kind, and an unused nonce. */
async function seedTenant(s: AcmeStorage): Promise<Tenant> {
  const parents = await seed(s);
  const { endpoint, account, order } = parents;
  const domainValidation = await value(s.domainValidations.insert(makeDomainValidation(endpoint)));
  const externalAccountKey = await value(s.externalAccountKeys.insert(makeExternalAccountKey(endpoint)));
  const authorization = await value(s.authorizations.insert(makeAuthorization(account)));
  const certificate = await value(s.certificates.insert(makeCertificate(order)));
  const nonce = `nonce-${crypto.randomUUID()}`;
  await value(s.nonces.insert(endpoint.id, nonce, IN_A_MINUTE));
  return { ...parents, domainValidation, externalAccountKey, authorization, certificate, nonce };
}

function describeEndpointDelete(storage: StorageGetter): void {
  describe("endpoints.delete", () => {
    it("answers false for an unknown endpoint", async () => {
      const s = storage();
      await seedTenant(s);
      expect(await value(s.endpoints.delete(crypto.randomUUID()))).toBe(false);
    });

    it("answers true once, then the endpoint is neither found nor listed", async () => {
      const s = storage();
      const kept = await value(s.endpoints.insert(makeEndpoint()));
      const gone = await value(s.endpoints.insert(makeEndpoint()));
      expect(await value(s.endpoints.delete(gone.id))).toBe(true);
      expect(await value(s.endpoints.delete(gone.id))).toBe(false);
      expect(await value(s.endpoints.get(gone.id))).toBeUndefined();
      expect((await value(s.endpoints.list({ limit: 10 }))).items).toEqual([kept]);
    });

    it("removes everything scoped to the endpoint but its certificates, and nothing of others", async () => {
      const s = storage();
      const a = await seedTenant(s);
      const b = await seedTenant(s);
      expect(await value(s.endpoints.delete(a.endpoint.id))).toBe(true);

      const id = a.endpoint.id;
      expect(await value(s.domainValidations.get(id, a.domainValidation.id))).toBeUndefined();
      expect(await value(s.domainValidations.listByEndpoint(id))).toEqual([]);
      expect(await value(s.accounts.get(id, a.account.id))).toBeUndefined();
      expect(await value(s.accounts.getByThumbprint(id, a.account.thumbprint))).toBeUndefined();
      expect(await value(s.orders.get(id, a.order.id))).toBeUndefined();
      expect((await value(s.orders.listByAccount(id, a.account.id, { limit: 10 }))).items).toEqual([]);
      expect(await value(s.authorizations.get(id, a.authorization.id))).toBeUndefined();
      expect(await value(s.nonces.consume(id, a.nonce, NOW))).toBe(false);
      expect(await value(s.externalAccountKeys.get(id, a.externalAccountKey.keyId))).toBeUndefined();
      expect(await value(s.externalAccountKeys.listByEndpoint(id))).toEqual([]);
      expect(await value(s.certificates.get(id, a.certificate.serial))).toEqual({
        ...a.certificate,
        endpointDeleted: true,
        version: a.certificate.version + 1,
      });

      const other = b.endpoint.id;
      expect(await value(s.endpoints.get(other))).toEqual(b.endpoint);
      expect(await value(s.domainValidations.listByEndpoint(other))).toEqual([b.domainValidation]);
      expect(await value(s.externalAccountKeys.listByEndpoint(other))).toEqual([b.externalAccountKey]);
      expect(await value(s.accounts.getByThumbprint(other, b.account.thumbprint))).toEqual(b.account);
      expect((await value(s.orders.listByAccount(other, b.account.id, { limit: 10 }))).items).toEqual([
        b.order,
      ]);
      expect(await value(s.authorizations.get(other, b.authorization.id))).toEqual(b.authorization);
      expect(await value(s.certificates.get(other, b.certificate.serial))).toEqual(b.certificate);
      expect(await value(s.nonces.consume(other, b.nonce, NOW))).toBe(true);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Endpoint idempotency tokens and external account keys.

function describePagingInput(storage: StorageGetter): void {
  describe("paging input", () => {
    it("answers `invalid` for a cursor the driver did not make and a limit out of range", async () => {
      const s = storage();
      const { endpoint, account } = await seed(s);
      for (const after of ["not-a-cursor", "", "%%%"]) {
        expect((await errorOf(s.endpoints.list({ limit: 10, after }))).type, after).toBe("invalid");
        expect(
          (await errorOf(s.orders.listByAccount(endpoint.id, account.id, { limit: 10, after }))).type,
          after,
        ).toBe("invalid");
      }
      // The message may reach a client's problem detail: a forged cursor is not echoed whole.
      const forged = "c".repeat(30 * 1024);
      for (const error of [
        await errorOf(s.endpoints.list({ limit: 10, after: forged })),
        await errorOf(s.orders.listByAccount(endpoint.id, account.id, { limit: 10, after: forged })),
      ]) {
        expect(error.type).toBe("invalid");
        expect(error.message.length).toBeLessThan(200);
      }
      for (const limit of [0, -1, 1.5, 1001]) {
        expect((await errorOf(s.endpoints.list({ limit }))).type, String(limit)).toBe("invalid");
      }
    });
  });
}

function describeIdempotencyTokens(storage: StorageGetter): void {
  describe("endpoints by idempotency token", () => {
    it("finds an endpoint by its token, and nothing by an unknown one", async () => {
      const s = storage();
      const token = crypto.randomUUID();
      const endpoint = await value(
        s.endpoints.insert(makeEndpoint({ idempotency: { token, inputHash: "h1" } })),
      );
      await value(s.endpoints.insert(makeEndpoint()));
      expect(await value(s.endpoints.getByIdempotencyToken(token))).toEqual(endpoint);
      expect(await value(s.endpoints.getByIdempotencyToken(crypto.randomUUID()))).toBeUndefined();
    });

    it("refuses a second endpoint with the same token as a conflict", async () => {
      const s = storage();
      const token = crypto.randomUUID();
      const first = await value(
        s.endpoints.insert(makeEndpoint({ idempotency: { token, inputHash: "h1" } })),
      );
      await expectConflict(s.endpoints.insert(makeEndpoint({ idempotency: { token, inputHash: "h2" } })));
      expect(await value(s.endpoints.getByIdempotencyToken(token))).toEqual(first);
      expect((await value(s.endpoints.list({ limit: 10 }))).items).toEqual([first]);
    });

    it("forgets the token when the endpoint is deleted, and keeps it through updates", async () => {
      const s = storage();
      const token = crypto.randomUUID();
      const endpoint = await value(
        s.endpoints.insert(makeEndpoint({ idempotency: { token, inputHash: "h1" } })),
      );
      const updated = await value(s.endpoints.update({ ...endpoint, contact: "REQUIRED" }));
      expect(await value(s.endpoints.getByIdempotencyToken(token))).toEqual(updated);
      await value(s.endpoints.delete(endpoint.id));
      expect(await value(s.endpoints.getByIdempotencyToken(token))).toBeUndefined();
      await value(s.endpoints.insert(makeEndpoint({ idempotency: { token, inputHash: "h1" } })));
    });
  });
}

function describeExternalAccountKeys(storage: StorageGetter): void {
  describe("externalAccountKeys.listByEndpoint", () => {
    it("lists the endpoint's keys only, current state", async () => {
      const s = storage();
      const a = await value(s.endpoints.insert(makeEndpoint()));
      const b = await value(s.endpoints.insert(makeEndpoint()));
      const k1 = await value(s.externalAccountKeys.insert(makeExternalAccountKey(a)));
      const k2 = await value(s.externalAccountKeys.insert(makeExternalAccountKey(a)));
      const other = await value(s.externalAccountKeys.insert(makeExternalAccountKey(b)));
      const revoked = await value(s.externalAccountKeys.update({ ...k2, status: "REVOKED" }));
      const byKeyId = (keys: readonly ExternalAccountKey[]) =>
        [...keys].sort((x, y) => x.keyId.localeCompare(y.keyId));
      expect(byKeyId(await value(s.externalAccountKeys.listByEndpoint(a.id)))).toEqual(
        byKeyId([k1, revoked]),
      );
      expect(await value(s.externalAccountKeys.listByEndpoint(b.id))).toEqual([other]);
      expect(await value(s.externalAccountKeys.listByEndpoint(crypto.randomUUID()))).toEqual([]);
    });

    it("allows the same key id in two endpoints", async () => {
      const s = storage();
      const a = await value(s.endpoints.insert(makeEndpoint()));
      const b = await value(s.endpoints.insert(makeEndpoint()));
      const inA = await value(s.externalAccountKeys.insert(makeExternalAccountKey(a, { keyId: "shared" })));
      const inB = await value(s.externalAccountKeys.insert(makeExternalAccountKey(b, { keyId: "shared" })));
      expect(await value(s.externalAccountKeys.get(a.id, "shared"))).toEqual(inA);
      expect(await value(s.externalAccountKeys.get(b.id, "shared"))).toEqual(inB);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Domain validations: listing and delete.

function byId<T extends { readonly id: string }>(records: readonly T[]): T[] {
  return [...records].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}

function describeDomainValidations(storage: StorageGetter): void {
  describe("domainValidations.listByEndpoint and delete", () => {
    it("lists all of an endpoint's domain validations and none of another's", async () => {
      const s = storage();
      const { endpoint } = await seed(s);
      const other = await value(s.endpoints.insert(makeEndpoint()));
      const mine = [
        makeDomainValidation(endpoint, { domainName: "a.example" }),
        makeDomainValidation(endpoint, { domainName: "b.example" }),
        makeDomainValidation(endpoint, { domainName: "c.example" }),
      ];
      for (const domain of mine) await value(s.domainValidations.insert(domain));
      await value(s.domainValidations.insert(makeDomainValidation(other)));
      // The port promises no order here, so compare as sets.
      expect(byId(await value(s.domainValidations.listByEndpoint(endpoint.id)))).toEqual(byId(mine));
    });

    it("answers an empty list for an endpoint without domain validations", async () => {
      const s = storage();
      const { endpoint } = await seed(s);
      await value(
        s.domainValidations.insert(makeDomainValidation(await value(s.endpoints.insert(makeEndpoint())))),
      );
      expect(await value(s.domainValidations.listByEndpoint(endpoint.id))).toEqual([]);
    });

    it("deletes one domain validation: true once, then false; the others stay", async () => {
      const s = storage();
      const { endpoint } = await seed(s);
      const gone = await value(s.domainValidations.insert(makeDomainValidation(endpoint)));
      const kept = await value(s.domainValidations.insert(makeDomainValidation(endpoint)));
      expect(await value(s.domainValidations.delete(endpoint.id, gone.id))).toBe(true);
      expect(await value(s.domainValidations.delete(endpoint.id, gone.id))).toBe(false);
      expect(await value(s.domainValidations.get(endpoint.id, gone.id))).toBeUndefined();
      expect(await value(s.domainValidations.listByEndpoint(endpoint.id))).toEqual([kept]);
    });

    it("does not delete through another endpoint", async () => {
      const s = storage();
      const { endpoint } = await seed(s);
      const other = await value(s.endpoints.insert(makeEndpoint()));
      const domain = await value(s.domainValidations.insert(makeDomainValidation(endpoint)));
      expect(await value(s.domainValidations.delete(other.id, domain.id))).toBe(false);
      expect(await value(s.domainValidations.get(endpoint.id, domain.id))).toEqual(domain);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Accounts: the key thumbprint is unique per endpoint.

function describeAccountThumbprints(storage: StorageGetter): void {
  describe("accounts by thumbprint", () => {
    it("finds an account by its thumbprint in its endpoint only", async () => {
      const s = storage();
      const { endpoint, account } = await seed(s);
      const other = await value(s.endpoints.insert(makeEndpoint()));
      expect(await value(s.accounts.getByThumbprint(endpoint.id, account.thumbprint))).toEqual(account);
      expect(await value(s.accounts.getByThumbprint(other.id, account.thumbprint))).toBeUndefined();
      expect(await value(s.accounts.getByThumbprint(endpoint.id, "unknown-thumbprint"))).toBeUndefined();
    });

    it("refuses a second account with a taken thumbprint in one endpoint as a conflict", async () => {
      const s = storage();
      const { endpoint, account } = await seed(s);
      const second = makeAccount(endpoint, { thumbprint: account.thumbprint });
      await expectConflict(s.accounts.insert(second));
      expect(await value(s.accounts.get(endpoint.id, second.id))).toBeUndefined();
      expect(await value(s.accounts.getByThumbprint(endpoint.id, account.thumbprint))).toEqual(account);
    });

    it("allows one thumbprint in several endpoints, each finding its own account", async () => {
      const s = storage();
      const { account } = await seed(s);
      const other = await value(s.endpoints.insert(makeEndpoint()));
      const twin = await value(s.accounts.insert(makeAccount(other, { thumbprint: account.thumbprint })));
      expect(await value(s.accounts.getByThumbprint(other.id, account.thumbprint))).toEqual(twin);
      expect(await value(s.accounts.getByThumbprint(account.endpointId, account.thumbprint))).toEqual(
        account,
      );
    });

    it("finds the account as updated through an unchanged thumbprint", async () => {
      const s = storage();
      const { account } = await seed(s);
      const updated = await value(s.accounts.update({ ...account, status: "deactivated" }));
      expect(await value(s.accounts.getByThumbprint(account.endpointId, account.thumbprint))).toEqual(
        updated,
      );
    });

    it("moves the thumbprint on a key change: the new one finds the account, the old one nothing", async () => {
      const s = storage();
      const { endpoint, account } = await seed(s);
      const { jwk, thumbprint } = makeAccount(endpoint);
      const rolled = await value(s.accounts.update({ ...account, jwk, thumbprint }));
      expect(await value(s.accounts.getByThumbprint(endpoint.id, thumbprint))).toEqual(rolled);
      expect(await value(s.accounts.getByThumbprint(endpoint.id, account.thumbprint))).toBeUndefined();
      // The old thumbprint is free again.
      await value(s.accounts.insert(makeAccount(endpoint, { thumbprint: account.thumbprint })));
    });

    it("refuses a key change to a thumbprint taken in the endpoint as a conflict, changing nothing", async () => {
      const s = storage();
      const { endpoint, account } = await seed(s);
      const holder = await value(s.accounts.insert(makeAccount(endpoint)));
      await expectConflict(s.accounts.update({ ...account, thumbprint: holder.thumbprint }));
      expect(await value(s.accounts.get(endpoint.id, account.id))).toEqual(account);
      expect(await value(s.accounts.getByThumbprint(endpoint.id, account.thumbprint))).toEqual(account);
      expect(await value(s.accounts.getByThumbprint(endpoint.id, holder.thumbprint))).toEqual(holder);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Orders: an account's orders, oldest first, a page at a time.

function describeOrderListing(storage: StorageGetter): void {
  describe("orders.listByAccount", () => {
    it("lists only the account's orders, oldest first, a page at a time; the last page has no next", async () => {
      const s = storage();
      const { endpoint, account, order: first } = await seed(s);
      const neighbour = await value(s.accounts.insert(makeAccount(endpoint)));
      // Ids descend while createdAt ascends: sorting by id alone gives the wrong order.
      const ids = ascendingIds(4).reverse();
      const expected = [first];
      for (const [index, id] of ids.entries()) {
        await value(s.orders.insert(makeOrder(neighbour)));
        const createdAt = new Date(Date.parse(first.createdAt) + (index + 1) * 60_000).toISOString();
        expected.push(await value(s.orders.insert(makeOrder(account, { id, createdAt }))));
      }
      const pages = await allPages((page) => s.orders.listByAccount(endpoint.id, account.id, page), 2);
      expect(pages.map((page) => page.items.length)).toEqual([2, 2, 1]);
      expect(pages.flatMap((page) => page.items)).toEqual(expected);
    });

    it("gives no next on a page that ends exactly at the account's last order", async () => {
      const s = storage();
      const { account } = await seed(s);
      for (let i = 0; i < 3; i++) await value(s.orders.insert(makeOrder(account)));
      const pages = await allPages((page) => s.orders.listByAccount(account.endpointId, account.id, page), 2);
      expect(pages.map((page) => page.items.length)).toEqual([2, 2]);
    });

    it("answers an empty page without next for an account without orders", async () => {
      const s = storage();
      const { endpoint } = await seed(s);
      const idle = await value(s.accounts.insert(makeAccount(endpoint)));
      const page = await value(s.orders.listByAccount(endpoint.id, idle.id, { limit: 10 }));
      expect(page.items).toEqual([]);
      expect(page.next).toBeUndefined();
    });

    it("does not list an account's orders through another endpoint", async () => {
      const s = storage();
      const { account } = await seed(s);
      const other = await value(s.endpoints.insert(makeEndpoint()));
      const page = await value(s.orders.listByAccount(other.id, account.id, { limit: 10 }));
      expect(page.items).toEqual([]);
    });

    it("answers orders as they are stored now", async () => {
      const s = storage();
      const { account, order } = await seed(s);
      const later = await value(s.orders.insert(makeOrder(account)));
      const updated = await value(s.orders.update({ ...order, status: "invalid" }));
      const page = await value(s.orders.listByAccount(account.endpointId, account.id, { limit: 10 }));
      expect(page.items).toEqual([updated, later]);
      expect(page.next).toBeUndefined();
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Certificates: one serial across the server, one certificate per order.

function describeCertificateUniqueness(storage: StorageGetter): void {
  describe("certificates uniqueness", () => {
    it("refuses a serial already issued in another endpoint as a conflict", async () => {
      const s = storage();
      const a = await seed(s);
      const b = await seed(s);
      const issued = await value(s.certificates.insert(makeCertificate(a.order)));
      const clash = makeCertificate(b.order, { serial: issued.serial });
      await expectConflict(s.certificates.insert(clash));
      expect(await value(s.certificates.get(b.endpoint.id, issued.serial))).toBeUndefined();
      expect(await value(s.certificates.get(a.endpoint.id, issued.serial))).toEqual(issued);
    });

    it("refuses a second certificate for one order as a conflict", async () => {
      const s = storage();
      const { endpoint, order } = await seed(s);
      const issued = await value(s.certificates.insert(makeCertificate(order)));
      const second = makeCertificate(order);
      await expectConflict(s.certificates.insert(second));
      expect(await value(s.certificates.get(endpoint.id, second.serial))).toBeUndefined();
      expect(await value(s.certificates.get(endpoint.id, issued.serial))).toEqual(issued);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Nonces.

function describeNonces(storage: StorageGetter): void {
  describe("nonces", () => {
    it("consumes an inserted nonce once: true, then false", async () => {
      const s = storage();
      const { endpoint } = await seed(s);
      await value(s.nonces.insert(endpoint.id, "nonce-1", IN_A_MINUTE));
      expect(await value(s.nonces.consume(endpoint.id, "nonce-1", NOW))).toBe(true);
      expect(await value(s.nonces.consume(endpoint.id, "nonce-1", NOW))).toBe(false);
    });

    it("answers false for a nonce never inserted", async () => {
      const s = storage();
      const { endpoint } = await seed(s);
      await value(s.nonces.insert(endpoint.id, "nonce-1", IN_A_MINUTE));
      expect(await value(s.nonces.consume(endpoint.id, "nonce-2", NOW))).toBe(false);
    });

    it("answers false through another endpoint, leaving the nonce to its own", async () => {
      const s = storage();
      const { endpoint } = await seed(s);
      const other = await value(s.endpoints.insert(makeEndpoint()));
      await value(s.nonces.insert(endpoint.id, "nonce-1", IN_A_MINUTE));
      expect(await value(s.nonces.consume(other.id, "nonce-1", NOW))).toBe(false);
      expect(await value(s.nonces.consume(endpoint.id, "nonce-1", NOW))).toBe(true);
    });

    it("answers false for a nonce consumed after it expired", async () => {
      const s = storage();
      const { endpoint } = await seed(s);
      await value(s.nonces.insert(endpoint.id, "nonce-1", IN_A_MINUTE));
      const late = new Date(IN_A_MINUTE.getTime() + 1000);
      expect(await value(s.nonces.consume(endpoint.id, "nonce-1", late))).toBe(false);
    });

    it("still accepts a nonce at exactly its expiresAt", async () => {
      const s = storage();
      const { endpoint } = await seed(s);
      await value(s.nonces.insert(endpoint.id, "nonce-1", IN_A_MINUTE));
      expect(await value(s.nonces.consume(endpoint.id, "nonce-1", IN_A_MINUTE))).toBe(true);
    });

    it("refuses a nonce inserted twice as a conflict, keeping it consumable once", async () => {
      const s = storage();
      const { endpoint } = await seed(s);
      await value(s.nonces.insert(endpoint.id, "nonce-1", IN_A_MINUTE));
      await expectConflict(s.nonces.insert(endpoint.id, "nonce-1", IN_A_MINUTE));
      expect(await value(s.nonces.consume(endpoint.id, "nonce-1", NOW))).toBe(true);
      expect(await value(s.nonces.consume(endpoint.id, "nonce-1", NOW))).toBe(false);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// CA materials.

const PEM = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIK\n-----END PRIVATE KEY-----\n";

function describeCaMaterials(storage: StorageGetter): void {
  describe("caMaterials", () => {
    it("answers undefined for a name never stored", async () => {
      expect(await value(storage().caMaterials.get("root-key"))).toBeUndefined();
    });

    it("stores a value under a name and hands it back exactly", async () => {
      const s = storage();
      expect(await value(s.caMaterials.putIfAbsent("root-key", PEM))).toBe(PEM);
      expect(await value(s.caMaterials.get("root-key"))).toBe(PEM);
    });

    it("keeps the first value: a second putIfAbsent answers it and changes nothing", async () => {
      const s = storage();
      await value(s.caMaterials.putIfAbsent("root-key", PEM));
      expect(await value(s.caMaterials.putIfAbsent("root-key", "another value"))).toBe(PEM);
      expect(await value(s.caMaterials.get("root-key"))).toBe(PEM);
    });

    it("keeps names apart", async () => {
      const s = storage();
      await value(s.caMaterials.putIfAbsent("root-key", PEM));
      expect(await value(s.caMaterials.putIfAbsent("root-cert", "certificate"))).toBe("certificate");
      expect(await value(s.caMaterials.get("root-key"))).toBe(PEM);
      expect(await value(s.caMaterials.get("root-cert"))).toBe("certificate");
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Transactions.

function describeTransactions(storage: StorageGetter): void {
  describe("transaction", () => {
    it("keeps every write of a work that answers ok, and answers its value", async () => {
      const s = storage();
      const { endpoint, account, order } = await seed(s);
      const newcomer = makeAccount(endpoint);
      const certificate = makeCertificate(order);
      const answer = await s.transaction((tx) =>
        safeTry(async function* () {
          yield* tx.accounts.insert(newcomer);
          const ready = yield* tx.orders.update({ ...order, status: "ready" });
          yield* tx.certificates.insert(certificate);
          return ok(ready.version);
        }),
      );
      expect(await value(answer)).toBe(order.version + 1);
      expect(await value(s.accounts.get(endpoint.id, newcomer.id))).toEqual(newcomer);
      expect((await value(s.orders.get(endpoint.id, order.id)))?.status).toBe("ready");
      expect(await value(s.certificates.get(endpoint.id, certificate.serial))).toEqual(certificate);
      expect(await value(s.accounts.get(endpoint.id, account.id))).toEqual(account);
    });

    it("lets the work read its own writes", async () => {
      const s = storage();
      const { endpoint, order } = await seed(s);
      const newcomer = makeAccount(endpoint);
      const seen = await s.transaction((tx) =>
        safeTry(async function* () {
          yield* tx.accounts.insert(newcomer);
          const updated = yield* tx.orders.update({ ...order, status: "ready" });
          return ok({
            account: yield* tx.accounts.getByThumbprint(endpoint.id, newcomer.thumbprint),
            order: yield* tx.orders.get(endpoint.id, order.id),
            updated,
          });
        }),
      );
      const { account, order: read, updated } = await value(seen);
      expect(account).toEqual(newcomer);
      expect(read).toEqual(updated);
    });

    it("keeps none of the writes of a work that answers err, and answers that err", async () => {
      const s = storage();
      const { endpoint, account, order } = await seed(s);
      const domain = await value(s.domainValidations.insert(makeDomainValidation(endpoint)));
      const doomed = await value(s.domainValidations.insert(makeDomainValidation(endpoint)));
      await value(s.nonces.insert(endpoint.id, "old-nonce", IN_A_MINUTE));
      const newcomer = makeAccount(endpoint);
      const newOrder = makeOrder(account);
      const authorization = makeAuthorization(account);
      const certificate = makeCertificate(order);
      const { thumbprint: newThumbprint } = makeAccount(endpoint);

      const answer = await s.transaction((tx) =>
        safeTry(async function* () {
          yield* tx.endpoints.update({ ...endpoint, status: "FAILED" });
          // Records written twice: undoing them needs the writes undone newest first.
          const inserted = yield* tx.accounts.insert(newcomer);
          yield* tx.accounts.update({ ...inserted, status: "deactivated" });
          yield* tx.accounts.update({ ...account, thumbprint: newThumbprint });
          yield* tx.orders.insert(newOrder);
          const ready = yield* tx.orders.update({ ...order, status: "ready" });
          yield* tx.orders.update({ ...ready, status: "processing" });
          yield* tx.authorizations.insert(authorization);
          yield* tx.certificates.insert(certificate);
          yield* tx.domainValidations.update({ ...domain, status: "SUCCESS" });
          yield* tx.domainValidations.delete(endpoint.id, doomed.id);
          yield* tx.nonces.insert(endpoint.id, "new-nonce", IN_A_MINUTE);
          const consumed = yield* tx.nonces.consume(endpoint.id, "old-nonce", NOW);
          yield* tx.caMaterials.putIfAbsent("root-key", PEM);
          return err({ reason: "changed its mind", consumed });
        }),
      );

      expect(await errorOf(answer)).toEqual({ reason: "changed its mind", consumed: true });
      expect(await value(s.endpoints.get(endpoint.id))).toEqual(endpoint);
      expect(await value(s.accounts.get(endpoint.id, newcomer.id))).toBeUndefined();
      expect(await value(s.accounts.getByThumbprint(endpoint.id, newcomer.thumbprint))).toBeUndefined();
      expect(await value(s.accounts.getByThumbprint(endpoint.id, account.thumbprint))).toEqual(account);
      expect(await value(s.accounts.getByThumbprint(endpoint.id, newThumbprint))).toBeUndefined();
      expect(await value(s.orders.get(endpoint.id, newOrder.id))).toBeUndefined();
      expect(await value(s.orders.get(endpoint.id, order.id))).toEqual(order);
      expect(await value(s.orders.listByAccount(endpoint.id, account.id, { limit: 1 }))).toEqual({
        items: [order],
      });
      expect(await value(s.authorizations.get(endpoint.id, authorization.id))).toBeUndefined();
      expect(await value(s.certificates.get(endpoint.id, certificate.serial))).toBeUndefined();
      expect(byId(await value(s.domainValidations.listByEndpoint(endpoint.id)))).toEqual(
        byId([domain, doomed]),
      );
      expect(await value(s.caMaterials.get("root-key"))).toBeUndefined();
      expect(await value(s.nonces.consume(endpoint.id, "new-nonce", NOW))).toBe(false);
      expect(await value(s.nonces.consume(endpoint.id, "old-nonce", NOW))).toBe(true);
    });

    it("rolls back an endpoint delete with everything it removed", async () => {
      const s = storage();
      const tenant = await seedTenant(s);
      const { endpoint, account } = tenant;
      const answer = await s.transaction((tx) =>
        safeTry(async function* () {
          const deleted = yield* tx.endpoints.delete(endpoint.id);
          return err({ deleted });
        }),
      );
      expect(await errorOf(answer)).toEqual({ deleted: true });
      expect(await value(s.endpoints.get(endpoint.id))).toEqual(endpoint);
      expect(await value(s.domainValidations.listByEndpoint(endpoint.id))).toEqual([tenant.domainValidation]);
      expect(await value(s.accounts.getByThumbprint(endpoint.id, account.thumbprint))).toEqual(account);
      expect((await value(s.orders.listByAccount(endpoint.id, account.id, { limit: 10 }))).items).toEqual([
        tenant.order,
      ]);
      expect(await value(s.authorizations.get(endpoint.id, tenant.authorization.id))).toEqual(
        tenant.authorization,
      );
      expect(await value(s.nonces.consume(endpoint.id, tenant.nonce, NOW))).toBe(true);
    });

    it("rolls back the writes before a conflict the work passes on, and answers the conflict", async () => {
      const s = storage();
      const { endpoint, order } = await seed(s);
      const issued = await value(s.certificates.insert(makeCertificate(order)));
      const newcomer = makeAccount(endpoint);
      const answer = await s.transaction((tx) =>
        tx.accounts
          .insert(newcomer)
          .andThen((account) => tx.orders.insert(makeOrder(account)))
          .andThen((second) => tx.certificates.insert(makeCertificate(second, { serial: issued.serial }))),
      );
      expect((await errorOf(answer)).type).toBe("conflict");
      expect(await value(s.accounts.get(endpoint.id, newcomer.id))).toBeUndefined();
      expect((await value(s.orders.listByAccount(endpoint.id, newcomer.id, { limit: 10 }))).items).toEqual(
        [],
      );
    });

    it("answers a failure, never rejects, and keeps nothing when the work throws after writing", async () => {
      const s = storage();
      const { endpoint } = await seed(s);
      const newcomer = makeAccount(endpoint);
      const answer = await s.transaction((tx) =>
        ResultAsync.fromSafePromise(
          (async () => {
            await value(tx.accounts.insert(newcomer));
            throw new Error("the work blew up");
          })(),
        ),
      );
      expect((await errorOf(answer)).type).toBe("failure");
      expect(await value(s.accounts.get(endpoint.id, newcomer.id))).toBeUndefined();
    });

    it("answers a failure, never rejects, when the work throws before answering", async () => {
      const answer = await storage().transaction<void, never>(() => {
        throw new Error("the work blew up");
      });
      expect((await errorOf(answer)).type).toBe("failure");
    });

    it("keeps the writes of a transaction that commits while another one rolls back", async () => {
      const s = storage();
      const { order } = await seed(s);
      const pause = () =>
        ResultAsync.fromSafePromise(new Promise<void>((resolve) => setTimeout(resolve, 20)));
      const failing = s.transaction((tx) =>
        tx.orders
          .update({ ...order, status: "invalid" })
          .andThen(pause)
          .andThen(() => err("rolled back")),
      );
      // Starts while the first one is (or may be) between its write and its rollback.
      await new Promise((resolve) => setTimeout(resolve, 5));
      const committing = s.transaction((tx) =>
        safeTry(async function* () {
          const current = yield* tx.orders.get(order.endpointId, order.id);
          if (current === undefined) return err("missing");
          return ok(yield* tx.orders.update({ ...current, status: "ready" }));
        }),
      );
      const [failed, committed] = await within(
        10_000,
        "two transactions",
        Promise.all([failing, committing]),
      );
      expect(failed.isErr()).toBe(true);
      // Refusing the second one (a conflict) is fine; losing its write once it answered ok is not.
      const stored = await value(s.orders.get(order.endpointId, order.id));
      expect(stored).toEqual(committed.isOk() ? committed.value : order);
    });

    it("runs the next transactions after ones that failed or threw", async () => {
      const s = storage();
      const { endpoint } = await seed(s);
      const newcomer = makeAccount(endpoint);
      const answers = await within(
        5000,
        "transactions after failed ones",
        Promise.all([
          s.transaction((tx) =>
            tx.domainValidations.insert(makeDomainValidation(endpoint)).andThen(() => err("no")),
          ),
          s.transaction<void, never>(() => {
            throw new Error("the work blew up");
          }),
          s.transaction((tx) => tx.accounts.insert(newcomer)),
        ]),
      );
      expect(answers.map((answer) => answer.isOk())).toEqual([false, false, true]);
      const later = await within(
        5000,
        "a later transaction",
        s.transaction((tx) => tx.accounts.get(endpoint.id, newcomer.id)),
      );
      expect(await value(later)).toEqual(newcomer);
    });

    it("commits parallel transactions that touch different records", async () => {
      const s = storage();
      const { endpoint } = await seed(s);
      const newcomers = Array.from({ length: 5 }, () => makeAccount(endpoint));
      const answers = await within(
        10_000,
        "parallel transactions",
        Promise.all(
          newcomers.map((account) =>
            s.transaction((tx) => tx.accounts.insert(account).andThen((a) => tx.orders.insert(makeOrder(a)))),
          ),
        ),
      );
      expect(errs(answers)).toEqual([]);
      for (const account of newcomers) {
        expect(await value(s.accounts.get(endpoint.id, account.id))).toEqual(account);
        const page = await value(s.orders.listByAccount(endpoint.id, account.id, { limit: 10 }));
        expect(page.items).toHaveLength(1);
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Concurrency: what ACME's replay protection and finalize rely on.

function describeConcurrency(storage: StorageGetter): void {
  describe("concurrency", () => {
    it("lets exactly one of 20 parallel consumes of one nonce succeed", async () => {
      const s = storage();
      const { endpoint } = await seed(s);
      await value(s.nonces.insert(endpoint.id, "contested", IN_A_MINUTE));
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => s.nonces.consume(endpoint.id, "contested", NOW)),
      );
      expect(errs(answers)).toEqual([]);
      expect(oks(answers).filter((consumed) => consumed)).toHaveLength(1);
    });

    it("lets exactly one of two parallel updates from the same read succeed; the other conflicts", async () => {
      const s = storage();
      const { order } = await seed(s);
      const read = await value(s.orders.get(order.endpointId, order.id));
      if (read === undefined) throw new Error("the seeded order is missing");
      const answers = await Promise.all([
        s.orders.update({ ...read, status: "ready" }),
        s.orders.update({ ...read, status: "invalid" }),
      ]);
      const winners = oks(answers);
      expect(winners).toHaveLength(1);
      expect(errs(answers).map((error) => error.type)).toEqual(["conflict"]);
      const stored = await value(s.orders.get(order.endpointId, order.id));
      expect(stored).toEqual(winners[0]);
      expect(stored?.version).toBe(read.version + 1);
    });

    it("lets exactly one of parallel account inserts with one thumbprint succeed", async () => {
      const s = storage();
      const { endpoint } = await seed(s);
      const { thumbprint } = makeAccount(endpoint);
      const contenders = Array.from({ length: 5 }, () => makeAccount(endpoint, { thumbprint }));
      const answers = await Promise.all(contenders.map((account) => s.accounts.insert(account)));
      const winners = oks(answers);
      expect(winners).toHaveLength(1);
      expect(errs(answers).map((error) => error.type)).toEqual(Array(4).fill("conflict"));
      expect(await value(s.accounts.getByThumbprint(endpoint.id, thumbprint))).toEqual(winners[0]);
    });

    it("answers one stored value to parallel putIfAbsent calls of one name", async () => {
      const s = storage();
      const values = Array.from({ length: 5 }, (_, index) => `value-${index}`);
      const answers = await Promise.all(
        values.map((candidate) => s.caMaterials.putIfAbsent("root-key", candidate)),
      );
      const stored = await value(s.caMaterials.get("root-key"));
      expect(values).toContain(stored);
      expect(oks(answers)).toEqual(Array(5).fill(stored));
    });

    it("stores exactly one certificate for two parallel finalizes of one order", async () => {
      const s = storage();
      const { account } = await seed(s);
      const order = await value(s.orders.insert(makeOrder(account, { status: "ready" })));
      const serials = [makeCertificate(order).serial, makeCertificate(order).serial] as const;
      // What a finalize does: check the order is ready, claim it, issue, record the serial.
      const finalize = (serial: string) =>
        s.transaction((tx) =>
          safeTry(async function* () {
            const current = yield* tx.orders.get(order.endpointId, order.id);
            if (current?.status !== "ready") return err({ type: "orderNotReady" as const });
            const processing = yield* tx.orders.update({ ...current, status: "processing" });
            const certificate = yield* tx.certificates.insert(makeCertificate(processing, { serial }));
            return ok(
              yield* tx.orders.update({
                ...processing,
                status: "valid",
                certificateSerial: certificate.serial,
              }),
            );
          }),
        );
      const answers = await within(10_000, "two finalizes", Promise.all(serials.map(finalize)));
      expect(oks(answers)).toHaveLength(1);

      const stored = await Promise.all(
        serials.map((serial) => value(s.certificates.get(order.endpointId, serial))),
      );
      const issued = stored.filter((certificate) => certificate !== undefined);
      expect(issued).toHaveLength(1);
      const final = await value(s.orders.get(order.endpointId, order.id));
      expect(final).toEqual(oks(answers)[0]);
      expect(final).toMatchObject({
        status: "valid",
        certificateSerial: issued[0]?.serial,
        version: order.version + 2,
      });
    });
  });
}
