import { createMemoryStorage } from "@acme-endpoints/storage-memory";
import { describe, expect, it, vi } from "vitest";
import { metricsRecorder } from "../metrics/recorder.js";
import type { Clock } from "../ports/clock.js";
import type { AcmeEvent, EventSink } from "../ports/events.js";
import type { AcmeStorage } from "../ports/storage.js";
import { setup } from "./setup.js";

const DAY = 86_400_000;

function collector(): EventSink & { readonly events: AcmeEvent[] } {
  const events: AcmeEvent[] = [];
  return { events, emit: (event) => void events.push(event) };
}

/** A clock the test moves by hand. */
function fakeClock(start = Date.now()): Clock & { set(ms: number): void } {
  let current = start;
  return {
    now: () => new Date(current),
    set: (ms) => {
      current = ms;
    },
  };
}

const silent = { error: () => {}, warn: () => {} };

describe("issuance metrics", () => {
  it("counts certificate.issued and certificate.issuanceFailed events into time buckets the API graphs", async () => {
    const { server, endpoint, storage } = await setup();
    const recorder = metricsRecorder({ storage, logger: silent });
    const base = { endpointId: endpoint.id, accountId: "a", orderId: "o" };
    const issued = (at: string) =>
      recorder.emit({ ...base, type: "certificate.issued", serial: "01", identifiers: [], notAfter: at, at });
    await issued("2025-06-01T10:00:05.000Z");
    await issued("2025-06-01T10:00:50.000Z");
    await issued("2025-06-01T10:02:00.000Z");
    await recorder.emit({
      ...base,
      type: "certificate.issuanceFailed",
      reason: "keyAlgorithm",
      detail: "RSA 1024",
      at: "2025-06-01T10:01:00.000Z",
    });
    // Events other than issuance outcomes count nothing.
    await recorder.emit({ ...base, type: "order.created", identifiers: [], at: "2025-06-01T10:01:00.000Z" });

    const range = {
      endpointId: endpoint.id,
      period: 60 as const,
      from: "2025-06-01T10:00:00Z",
      to: "2025-06-01T10:03:00Z",
    };
    const success = (
      await server.metrics.get({ ...range, metric: "CertificateIssuanceSuccess" })
    )._unsafeUnwrap();
    expect(success.datapoints).toEqual([
      { start: "2025-06-01T10:00:00.000Z", count: 2, byReason: {} },
      { start: "2025-06-01T10:01:00.000Z", count: 0, byReason: {} },
      { start: "2025-06-01T10:02:00.000Z", count: 1, byReason: {} },
    ]);
    expect(success.total).toBe(3);
    const failed = (
      await server.metrics.get({ ...range, metric: "CertificateIssuanceFailed" })
    )._unsafeUnwrap();
    expect(failed.datapoints.map((p) => p.count)).toEqual([0, 1, 0]);
    expect(failed.datapoints[1]?.byReason).toEqual({ keyAlgorithm: 1 });
    const daily = (
      await server.metrics.get({
        endpointId: endpoint.id,
        metric: "CertificateIssuanceSuccess",
        period: 86400,
        from: "2025-06-01T00:00:00Z",
        to: "2025-06-02T00:00:00Z",
      })
    )._unsafeUnwrap();
    expect(daily.datapoints).toEqual([{ start: "2025-06-01T00:00:00.000Z", count: 3, byReason: {} }]);
  });

  it("logs a storage that cannot count, and never throws", async () => {
    const storage = createMemoryStorage();
    const broken: AcmeStorage = {
      ...storage,
      metrics: {
        ...storage.metrics,
        increment: () =>
          storage.metrics.increment({
            endpointId: "x",
            metric: "CertificateIssuanceSuccess",
            reason: "",
            at: new Date(),
            by: 0,
          }),
      },
    };
    const errors: unknown[] = [];
    const recorder = metricsRecorder({
      storage: broken,
      logger: { ...silent, error: (m) => void errors.push(m) },
    });
    await expect(
      recorder.emit({
        type: "certificate.issuanceFailed",
        endpointId: "e",
        accountId: "a",
        orderId: "o",
        reason: "caFailure",
        detail: "down",
        at: new Date().toISOString(),
      }),
    ).resolves.toBeUndefined();
    expect(errors).toEqual(["counting an issuance metric failed"]);
  });

  it("counts what a real issuance emits (every certificate.issued the server reports)", async () => {
    const sink = collector();
    const { client, server, endpoint } = await setup({}, { events: sink });
    const acme = await client();
    await acme.issue(["www.example.test"]);
    await acme.issue(["api.example.test"]);
    const issued = () => sink.events.filter((e) => e.type === "certificate.issued").length;
    await vi.waitFor(async () => {
      const series = (
        await server.metrics.get({
          endpointId: endpoint.id,
          metric: "CertificateIssuanceSuccess",
          period: 60,
        })
      )._unsafeUnwrap();
      expect(series.total).toBe(issued());
    });
  });

  it("refuses unknown metrics and periods, ranges of too many points, and unknown endpoints", async () => {
    const { server, endpoint } = await setup();
    const base = { endpointId: endpoint.id, metric: "CertificateIssuanceSuccess" as const };
    const fieldOf = async (input: unknown) => {
      const error = (await server.metrics.get(input as never))._unsafeUnwrapErr();
      return "field" in error ? error.field : error.code;
    };
    expect(await fieldOf({ ...base, metric: "Other" })).toBe("metric");
    expect(await fieldOf({ ...base, period: 61 })).toBe("period");
    expect(
      await fieldOf({ ...base, period: 60, from: "2025-01-01T00:00:00Z", to: "2025-02-01T00:00:00Z" }),
    ).toBe("period");
    expect(await fieldOf({ ...base, from: "yesterday" })).toBe("from");
    expect(await fieldOf({ ...base, from: "2025-02-01T00:00:00Z", to: "2025-01-01T00:00:00Z" })).toBe("from");
    expect(await fieldOf({ ...base, endpointId: crypto.randomUUID() })).toBe("NotFound");
  });
});

describe("certificates inventory", () => {
  async function issueThree() {
    const clock = fakeClock();
    const sink = collector();
    const t = await setup({ certificateTags: [{ key: "team", value: "web" }] }, { clock, events: sink });
    const acme = await t.client();
    await acme.issue(["a.example.test", "b.example.test"]);
    await acme.issue(["www.example.test"]);
    await acme.issue(["b.example.test", "a.example.test"]);
    const listed = (await t.server.certificates.list())._unsafeUnwrap().certificates;
    const byNames = (...names: string[]) =>
      listed.filter(
        (c) =>
          c.identifiers
            .map((i) => i.value)
            .sort()
            .join() === names.join(),
      );
    const notAfter = Math.max(...listed.map((c) => Date.parse(c.notAfter)));
    return { ...t, clock, sink, listed, byNames, notAfter };
  }

  it("lists issued certificates with their endpoint's tags and renewal status; describe finds one by serial", async () => {
    const { server, endpoint, listed, byNames } = await issueThree();
    expect(listed).toHaveLength(3);
    const pair = byNames("a.example.test", "b.example.test");
    const first = pair.find((c) => c.renewedBy !== undefined);
    const renewal = pair.find((c) => c.renewedBy === undefined);
    const [other] = byNames("www.example.test");
    expect(first).toMatchObject({ renewalStatus: "renewed", renewedBy: renewal?.serial, status: "valid" });
    expect(renewal).toMatchObject({ renewalStatus: "current", endpointId: endpoint.id });
    expect(other?.renewalStatus).toBe("current");
    for (const c of listed) expect(c.tags).toEqual([{ key: "team", value: "web" }]);

    const details = (await server.certificates.describe({ serial: String(other?.serial) }))._unsafeUnwrap();
    expect(details.chainPem).toContain("BEGIN CERTIFICATE");
    expect(details.identifiers).toEqual([{ type: "dns", value: "www.example.test" }]);
    expect((await server.certificates.describe({ serial: "abc123" }))._unsafeUnwrapErr().code).toBe(
      "NotFound",
    );
    expect((await server.certificates.describe({ serial: "not hex" }))._unsafeUnwrapErr().code).toBe(
      "ValidationError",
    );

    const tagged = (
      await server.certificates.list({ tag: { key: "team", value: "web" }, pageSize: 2 })
    )._unsafeUnwrap();
    expect(tagged.certificates).toHaveLength(2);
    const rest = (
      await server.certificates.list({
        tag: { key: "team", value: "web" },
        pageSize: 2,
        nextToken: String(tagged.nextToken),
      })
    )._unsafeUnwrap();
    expect(rest.certificates).toHaveLength(1);
    expect(rest.nextToken).toBeUndefined();
    expect(
      (await server.certificates.list({ tag: { key: "team", value: "ops" } }))._unsafeUnwrap().certificates,
    ).toEqual([]);
  });

  it("summarizes counts, the expiry timeline and renewal as time passes", async () => {
    const { server, endpoint, clock, notAfter } = await issueThree();
    const summary = (await server.certificates.summary({ endpointId: endpoint.id }))._unsafeUnwrap();
    expect(summary.total).toBe(3);
    expect(summary.byStatus).toEqual({ valid: 3, expired: 0, revoked: 0 });
    expect(summary.renewal).toEqual({ renewed: 1, revoked: 0, overdue: 0, due: 0, current: 2 });
    expect(summary.expiry.later).toBe(3);

    clock.set(notAfter - 20 * DAY);
    const later = (await server.certificates.summary())._unsafeUnwrap();
    expect(later.expiry).toEqual({ expired: 0, within7Days: 0, within30Days: 3, within60Days: 0, later: 0 });
    expect(later.renewal).toEqual({ renewed: 1, revoked: 0, overdue: 0, due: 2, current: 0 });
    clock.set(notAfter + DAY);
    const expired = (await server.certificates.summary())._unsafeUnwrap();
    expect(expired.byStatus).toEqual({ valid: 0, expired: 3, revoked: 0 });
    expect(expired.renewal.overdue).toBe(2);
    const listedExpired = (await server.certificates.list({ status: "expired" }))._unsafeUnwrap()
      .certificates;
    expect(listedExpired.map((c) => c.renewalStatus).sort()).toEqual(["overdue", "overdue", "renewed"]);
  });

  it("announces each expiry window once per certificate, never for renewed ones", async () => {
    const { server, clock, sink, byNames, notAfter } = await issueThree();
    const expiring = () => sink.events.filter((e) => e.type === "certificate.expiring");
    const current = [
      byNames("www.example.test")[0]?.serial,
      byNames("a.example.test", "b.example.test").find((c) => !c.renewedBy)?.serial,
    ].sort();

    expect((await server.certificates.checkExpiring())._unsafeUnwrap()).toEqual([]);
    clock.set(notAfter - 29.5 * DAY);
    const first = (await server.certificates.checkExpiring())._unsafeUnwrap();
    expect(first.map((a) => a.serial).sort()).toEqual(current);
    expect(first.every((a) => a.window === 30 && a.daysLeft === 29)).toBe(true);
    expect((await server.certificates.checkExpiring())._unsafeUnwrap()).toEqual([]);

    clock.set(notAfter - 6.5 * DAY);
    const second = (await server.certificates.checkExpiring({ windowsDays: [30, 7] }))._unsafeUnwrap();
    expect(second.map((a) => [a.window, a.daysLeft])).toEqual([
      [7, 6],
      [7, 6],
    ]);
    expect((await server.certificates.checkExpiring())._unsafeUnwrap()).toEqual([]);
    expect(expiring()).toHaveLength(4);
    expect(expiring()[0]).toMatchObject({ type: "certificate.expiring", window: 30, daysLeft: 29 });
    expect((await server.certificates.checkExpiring({ windowsDays: [0] }))._unsafeUnwrapErr().code).toBe(
      "ValidationError",
    );
  });
});
