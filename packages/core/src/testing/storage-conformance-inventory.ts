/**
 * Conformance cases of the inventory and monitoring parts of the storage port (issue 7):
 * issuance metric buckets, certificate listing and summary, renewal marking. Called from
 * `describeStorageConformance`.
 */
import type { Result } from "neverthrow";
import { err } from "neverthrow";
import { describe, expect, it } from "vitest";
import type { CertificateRecord, Endpoint } from "../domain/types.js";
import type { AcmeStorage, CertificateFilter, Page, StorageError } from "../ports/storage.js";
import { makeCertificate, makeEndpoint } from "./fixtures.js";

type StorageGetter = () => AcmeStorage;

async function value<T>(result: PromiseLike<Result<T, StorageError>>): Promise<T> {
  const answer = await result;
  if (answer.isErr()) throw new Error(`expected ok, got err ${JSON.stringify(answer.error)}`);
  return answer.value;
}

async function errorOf<T>(result: PromiseLike<Result<T, StorageError>>): Promise<StorageError> {
  const answer = await result;
  if (answer.isOk()) throw new Error(`expected err, got ok ${JSON.stringify(answer.value)}`);
  return answer.error;
}

const NOW = "2025-06-01T00:00:00.000Z";
const DAY = 86_400_000;
const days = (n: number) => new Date(Date.parse(NOW) + n * DAY).toISOString();

/** A certificate of its own order (one certificate per order), expiring in `inDays` days. */
function certificate(endpoint: Endpoint, inDays: number, overrides: Partial<CertificateRecord> = {}) {
  return makeCertificate(
    {
      endpointId: endpoint.id,
      accountId: crypto.randomUUID(),
      id: crypto.randomUUID(),
      identifiers: [{ type: "dns", value: `${crypto.randomUUID()}.example.com` }],
    },
    { notAfter: days(inDays), ...overrides },
  );
}

async function listAll(s: AcmeStorage, filter: CertificateFilter, limit = 2): Promise<string[]> {
  const serials: string[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page: Page<CertificateRecord> = await value(
      s.certificates.list(filter, after === undefined ? { limit } : { limit, after }),
    );
    serials.push(...page.items.map((c) => c.serial));
    after = page.next;
    if (after === undefined) return serials;
  }
  throw new Error("more than 100 pages: the cursor does not advance");
}

const inventoryOrder = (a: CertificateRecord, b: CertificateRecord) =>
  a.notAfter < b.notAfter ? -1 : a.notAfter > b.notAfter ? 1 : a.serial < b.serial ? -1 : 1;

export function describeInventoryConformance(storage: StorageGetter): void {
  describeMetrics(storage);
  describeCertificateListing(storage);
  describeCertificateSummary(storage);
  describeRenewalMarking(storage);
}

function describeMetrics(storage: StorageGetter): void {
  describe("metrics", () => {
    const endpointId = crypto.randomUUID();
    const at = (iso: string) => new Date(iso);

    it("adds to the minute, hour and day buckets of the moment, by reason, in order", async () => {
      const s = storage();
      const success = "CertificateIssuanceSuccess" as const;
      const failed = "CertificateIssuanceFailed" as const;
      await value(
        s.metrics.increment({ endpointId, metric: success, reason: "", at: at("2025-06-01T10:15:30.000Z") }),
      );
      await value(
        s.metrics.increment({
          endpointId,
          metric: success,
          reason: "",
          at: at("2025-06-01T10:15:59.999Z"),
          by: 2,
        }),
      );
      await value(
        s.metrics.increment({ endpointId, metric: success, reason: "", at: at("2025-06-01T11:00:00.000Z") }),
      );
      await value(
        s.metrics.increment({
          endpointId,
          metric: failed,
          reason: "keyAlgorithm",
          at: at("2025-06-01T10:20:00.000Z"),
        }),
      );
      await value(
        s.metrics.increment({
          endpointId,
          metric: failed,
          reason: "badCSR",
          at: at("2025-06-01T10:20:10.000Z"),
        }),
      );
      // Another endpoint's counts stay apart.
      await value(
        s.metrics.increment({
          endpointId: crypto.randomUUID(),
          metric: success,
          reason: "",
          at: at("2025-06-01T10:15:00.000Z"),
        }),
      );

      const range = { from: at("2025-06-01T00:00:00.000Z"), to: at("2025-06-02T00:00:00.000Z") };
      expect(await value(s.metrics.list({ endpointId, metric: success, period: 60, ...range }))).toEqual([
        { start: "2025-06-01T10:15:00.000Z", reason: "", count: 3 },
        { start: "2025-06-01T11:00:00.000Z", reason: "", count: 1 },
      ]);
      expect(await value(s.metrics.list({ endpointId, metric: success, period: 3600, ...range }))).toEqual([
        { start: "2025-06-01T10:00:00.000Z", reason: "", count: 3 },
        { start: "2025-06-01T11:00:00.000Z", reason: "", count: 1 },
      ]);
      expect(await value(s.metrics.list({ endpointId, metric: success, period: 86400, ...range }))).toEqual([
        { start: "2025-06-01T00:00:00.000Z", reason: "", count: 4 },
      ]);
      expect(await value(s.metrics.list({ endpointId, metric: failed, period: 3600, ...range }))).toEqual([
        { start: "2025-06-01T10:00:00.000Z", reason: "badCSR", count: 1 },
        { start: "2025-06-01T10:00:00.000Z", reason: "keyAlgorithm", count: 1 },
      ]);
    });

    it("lists buckets whose start is from `from` rounded down to before `to`", async () => {
      const s = storage();
      const metric = "CertificateIssuanceSuccess" as const;
      for (const minute of ["10:00", "10:01", "10:02", "10:03"]) {
        await value(
          s.metrics.increment({ endpointId, metric, reason: "", at: at(`2025-06-01T${minute}:30.000Z`) }),
        );
      }
      const listed = await value(
        s.metrics.list({
          endpointId,
          metric,
          period: 60,
          from: at("2025-06-01T10:01:45.000Z"),
          to: at("2025-06-01T10:03:00.000Z"),
        }),
      );
      expect(listed.map((b) => b.start)).toEqual(["2025-06-01T10:01:00.000Z", "2025-06-01T10:02:00.000Z"]);
      expect(
        await value(
          s.metrics.list({
            endpointId: crypto.randomUUID(),
            metric,
            period: 60,
            from: at(NOW),
            to: at(days(1)),
          }),
        ),
      ).toEqual([]);
    });

    it("counts every one of 50 parallel increments", async () => {
      const s = storage();
      const metric = "CertificateIssuanceFailed" as const;
      const moment = at("2025-06-01T10:00:00.000Z");
      const answers = await Promise.all(
        Array.from({ length: 50 }, () =>
          s.metrics.increment({ endpointId, metric, reason: "caFailure", at: moment }),
        ),
      );
      expect(answers.filter((a) => a.isErr())).toEqual([]);
      for (const [period, start] of [
        [60, "2025-06-01T10:00:00.000Z"],
        [3600, "2025-06-01T10:00:00.000Z"],
        [86400, "2025-06-01T00:00:00.000Z"],
      ] as const) {
        const buckets = await value(
          s.metrics.list({ endpointId, metric, period, from: at(NOW), to: at(days(1)) }),
        );
        expect(buckets).toEqual([{ start, reason: "caFailure", count: 50 }]);
      }
    });

    it("keeps nothing of an increment made in a transaction that rolls back", async () => {
      const s = storage();
      const metric = "CertificateIssuanceSuccess" as const;
      await s.transaction((tx) =>
        tx.metrics.increment({ endpointId, metric, reason: "", at: at(NOW) }).andThen(() => err("no")),
      );
      expect(
        await value(s.metrics.list({ endpointId, metric, period: 60, from: at(NOW), to: at(days(1)) })),
      ).toEqual([]);
    });

    it("refuses an increment by zero, a negative or a fraction as invalid", async () => {
      const s = storage();
      for (const by of [0, -1, 1.5]) {
        const error = await errorOf(
          s.metrics.increment({
            endpointId,
            metric: "CertificateIssuanceSuccess",
            reason: "",
            at: at(NOW),
            by,
          }),
        );
        expect(error.type).toBe("invalid");
      }
    });
  });
}

function describeCertificateListing(storage: StorageGetter): void {
  describe("certificates.list", () => {
    it("lists by notAfter, then serial, a page at a time, across endpoints (deleted ones too)", async () => {
      const s = storage();
      const a = await value(s.endpoints.insert(makeEndpoint()));
      const b = await value(s.endpoints.insert(makeEndpoint()));
      const records = [
        certificate(a, 10),
        certificate(b, 10),
        certificate(a, 10),
        certificate(b, -5),
        certificate(a, 90),
        certificate(b, 40),
        certificate(a, 1),
      ];
      for (const record of records) await value(s.certificates.insert(record));
      await value(s.endpoints.delete(b.id));
      const expected = [...records].sort(inventoryOrder).map((c) => c.serial);
      expect(await listAll(s, { now: NOW })).toEqual(expected);
      expect(await listAll(s, { now: NOW }, 3)).toEqual(expected);
      expect(await listAll(s, { now: NOW, endpointId: b.id })).toEqual(
        [...records]
          .filter((c) => c.endpointId === b.id)
          .sort(inventoryOrder)
          .map((c) => c.serial),
      );
      const page = await value(s.certificates.list({ now: NOW, endpointId: b.id }, { limit: 10 }));
      expect(page.items.every((c) => c.endpointDeleted === true)).toBe(true);
    });

    it("filters by status as of now, by expiringBefore and by tag, and pages through the result", async () => {
      const s = storage();
      const e = await value(s.endpoints.insert(makeEndpoint()));
      const prod = [{ key: "env", value: "prod" }];
      const expired = [certificate(e, -30), certificate(e, -1, { tags: prod })];
      const revoked = [
        certificate(e, 20, { status: "revoked", revokedAt: NOW, revocationReason: 1 }),
        certificate(e, -3, { status: "revoked", revokedAt: NOW, tags: prod }),
      ];
      const valid = [
        certificate(e, 0.5, { tags: prod }),
        certificate(e, 5),
        certificate(e, 25, { tags: [{ key: "env", value: "dev" }] }),
        certificate(e, 80, { tags: prod }),
      ];
      const onNow = certificate(e, 0); // notAfter == now: expired
      for (const record of [...valid, ...revoked, onNow, ...expired])
        await value(s.certificates.insert(record));
      const serials = (list: CertificateRecord[]) => [...list].sort(inventoryOrder).map((c) => c.serial);

      expect(await listAll(s, { now: NOW, status: "valid" })).toEqual(serials(valid));
      expect(await listAll(s, { now: NOW, status: "expired" })).toEqual(serials([...expired, onNow]));
      expect(await listAll(s, { now: NOW, status: "revoked" })).toEqual(serials(revoked));
      expect(await listAll(s, { now: NOW, status: "valid", expiringBefore: days(30) })).toEqual(
        serials(valid.slice(0, 3)),
      );
      expect(await listAll(s, { now: NOW, expiringBefore: days(0) })).toEqual(
        serials([...expired, revoked[1] as CertificateRecord]),
      );
      expect(await listAll(s, { now: NOW, tag: { key: "env" } })).toEqual(
        serials([expired[1], revoked[1], valid[0], valid[2], valid[3]] as CertificateRecord[]),
      );
      expect(await listAll(s, { now: NOW, tag: { key: "env", value: "prod" }, status: "valid" }, 1)).toEqual(
        serials([valid[0], valid[3]] as CertificateRecord[]),
      );
      expect(await listAll(s, { now: NOW, endpointId: crypto.randomUUID() })).toEqual([]);
    });

    it("follows a revocation from the valid listing to the revoked one", async () => {
      const s = storage();
      const e = await value(s.endpoints.insert(makeEndpoint()));
      const issued = await value(s.certificates.insert(certificate(e, 30)));
      await value(
        s.certificates.update({ ...issued, status: "revoked", revokedAt: NOW, revocationReason: 4 }),
      );
      expect(await listAll(s, { now: NOW, status: "valid" })).toEqual([]);
      expect(await listAll(s, { now: NOW, status: "revoked", endpointId: e.id })).toEqual([issued.serial]);
    });

    it("refuses a cursor it did not make and a limit out of range as invalid", async () => {
      const s = storage();
      expect((await errorOf(s.certificates.list({ now: NOW }, { limit: 10, after: "garbage" }))).type).toBe(
        "invalid",
      );
      expect((await errorOf(s.certificates.list({ now: NOW }, { limit: 0 }))).type).toBe("invalid");
      expect((await errorOf(s.certificates.list({ now: NOW }, { limit: 1001 }))).type).toBe("invalid");
    });
  });
}

function describeCertificateSummary(storage: StorageGetter): void {
  describe("certificates.summary", () => {
    it("counts by status, on the expiry timeline and by renewal status, per endpoint and overall", async () => {
      const s = storage();
      const e = await value(s.endpoints.insert(makeEndpoint()));
      const other = await value(s.endpoints.insert(makeEndpoint()));
      const revoked = { status: "revoked" as const, revokedAt: NOW };
      for (const record of [
        certificate(e, -10), // expired, overdue
        certificate(e, 0), // expired (notAfter == now), overdue
        certificate(e, 3), // <7d, due
        certificate(e, 7), // <7d (inclusive), due
        certificate(e, 20), // <30d, due
        certificate(e, 45), // <60d, current
        certificate(e, 200), // later, current
        certificate(e, 50, revoked), // revoked
        certificate(e, 10, { renewedBy: "abc" }), // <30d, renewed
        certificate(e, -2, { ...revoked, renewedBy: "def" }), // revoked, renewed
        certificate(other, 100),
      ]) {
        await value(s.certificates.insert(record));
      }
      expect(await value(s.certificates.summary({ endpointId: e.id, now: NOW }))).toEqual({
        total: 10,
        byStatus: { valid: 6, expired: 2, revoked: 2 },
        expiry: { expired: 2, within7Days: 2, within30Days: 2, within60Days: 1, later: 1 },
        renewal: { renewed: 2, revoked: 1, overdue: 2, due: 3, current: 2 },
      });
      const all = await value(s.certificates.summary({ now: NOW }));
      expect(all.total).toBe(11);
      expect(all.expiry.later).toBe(2);
      expect(all.renewal.current).toBe(3);
      expect(await value(s.certificates.summary({ endpointId: crypto.randomUUID(), now: NOW }))).toEqual({
        total: 0,
        byStatus: { valid: 0, expired: 0, revoked: 0 },
        expiry: { expired: 0, within7Days: 0, within30Days: 0, within60Days: 0, later: 0 },
        renewal: { renewed: 0, revoked: 0, overdue: 0, due: 0, current: 0 },
      });
    });
  });
}

function describeRenewalMarking(storage: StorageGetter): void {
  describe("renewal marking", () => {
    const names = (...values: string[]) => values.map((value) => ({ type: "dns" as const, value }));

    it("marks the older certificates of the endpoint with the same identifier set as renewed by the new one", async () => {
      const s = storage();
      const e = await value(s.endpoints.insert(makeEndpoint()));
      const other = await value(s.endpoints.insert(makeEndpoint()));
      const first = await value(
        s.certificates.insert(certificate(e, 10, { identifiers: names("a.example", "b.example") })),
      );
      const elsewhere = await value(
        s.certificates.insert(certificate(other, 10, { identifiers: names("a.example", "b.example") })),
      );
      const subset = await value(
        s.certificates.insert(certificate(e, 10, { identifiers: names("a.example") })),
      );
      // Same set, other order and case.
      const second = await value(
        s.certificates.insert(certificate(e, 60, { identifiers: names("B.example", "a.example") })),
      );
      expect(second.renewedBy).toBeUndefined();
      expect(await value(s.certificates.get(e.id, first.serial))).toEqual({
        ...first,
        renewedBy: second.serial,
        version: first.version + 1,
      });
      expect(await value(s.certificates.get(e.id, subset.serial))).toEqual(subset);
      expect(await value(s.certificates.get(other.id, elsewhere.serial))).toEqual(elsewhere);

      const third = await value(
        s.certificates.insert(certificate(e, 90, { identifiers: names("a.example", "b.example") })),
      );
      expect((await value(s.certificates.get(e.id, second.serial)))?.renewedBy).toBe(third.serial);
      // The first keeps the certificate that renewed it.
      expect((await value(s.certificates.get(e.id, first.serial)))?.renewedBy).toBe(second.serial);
      expect((await value(s.certificates.summary({ endpointId: e.id, now: NOW }))).renewal.renewed).toBe(2);
    });

    it("marks nothing when the insert conflicts or its transaction rolls back", async () => {
      const s = storage();
      const e = await value(s.endpoints.insert(makeEndpoint()));
      const first = await value(
        s.certificates.insert(certificate(e, 10, { identifiers: names("a.example") })),
      );
      const clash = certificate(e, 20, { identifiers: names("a.example"), serial: first.serial });
      expect((await errorOf(s.certificates.insert(clash))).type).toBe("conflict");
      await s.transaction((tx) =>
        tx.certificates
          .insert(certificate(e, 30, { identifiers: names("a.example") }))
          .andThen(() => err("no")),
      );
      expect(await value(s.certificates.get(e.id, first.serial))).toEqual(first);
    });

    it("makes a stale update of a certificate that was renewed meanwhile a conflict", async () => {
      const s = storage();
      const e = await value(s.endpoints.insert(makeEndpoint()));
      const first = await value(
        s.certificates.insert(certificate(e, 10, { identifiers: names("a.example") })),
      );
      await value(s.certificates.insert(certificate(e, 30, { identifiers: names("a.example") })));
      expect((await errorOf(s.certificates.update({ ...first, status: "revoked" }))).type).toBe("conflict");
    });
  });
}
