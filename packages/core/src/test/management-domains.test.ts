import { describe, expect, it } from "vitest";
import type { DomainValidation } from "../domain/types.js";
import { fakeClock, fakeDns, recordingLogger } from "./management-fakes.js";
import { PROBLEM, setup } from "./setup.js";

const HOUR = 3_600_000;

/** A server with a fake clock and DNS zone, and an endpoint with only MANUAL example.test. */
async function dnsSetup(extra: Parameters<typeof setup>[1] = {}) {
  const clock = fakeClock();
  const dns = fakeDns();
  const logger = recordingLogger();
  const t = await setup({}, { clock, dns: dns.resolver, logger, ...extra });
  const endpointId = t.endpoint.id;
  const create = async (domainName: string, scope = {}) =>
    (await t.server.domains.create({ endpointId, domainName, scope }))._unsafeUnwrap();
  const ref = (d: DomainValidation) => ({ endpointId, domainValidationId: d.id });
  return { ...t, clock, dns, logger, endpointId, create, ref };
}

describe("domains.create (DNS validation)", () => {
  it("answers PENDING_VALIDATION and a CNAME with random name label and value", async () => {
    const { create } = await dnsSetup();
    const domain = await create("Shop.Example.ORG.", { subdomains: true });
    expect(domain).toMatchObject({
      domainName: "shop.example.org",
      status: "PENDING_VALIDATION",
      validationMethod: "DNS",
      scope: { exactDomain: true, subdomains: true, wildcards: false },
      validationRecord: {
        type: "CNAME",
        name: expect.stringMatching(/^_acme-endpoints-[0-9a-f]{16}\.shop\.example\.org$/),
        value: expect.stringMatching(/^[0-9a-f]{32}\.validation\.acme-endpoints\.invalid$/),
      },
    });
    expect(domain.validatedAt).toBeUndefined();
    const other = await create("other.example.org");
    expect(other.validationRecord?.name).not.toBe(domain.validationRecord?.name);
    expect(other.validationRecord?.value).not.toBe(domain.validationRecord?.value);
  });

  it("points CNAMEs into the configured dnsValidationDomain, and refuses an unusable one", async () => {
    const { create } = await dnsSetup({ dnsValidationDomain: "dv.pki.example.net" });
    expect((await create("a.example.org")).validationRecord?.value).toMatch(
      /\.validation\.dv\.pki\.example\.net$/,
    );
    await expect(setup({}, { dnsValidationDomain: "not a domain" })).rejects.toThrow(TypeError);
  });

  it("does not authorize orders while pending", async () => {
    const { client, create } = await dnsSetup();
    await create("pending.test");
    const acme = await client();
    await acme.register();
    expect((await acme.newOrder(["pending.test"])).body).toMatchObject({
      type: PROBLEM("rejectedIdentifier"),
    });
  });

  it("refuses duplicates (also when racing), bad names and scopes, names too long for a record", async () => {
    const { server, endpointId, create } = await dnsSetup();
    const [a, b] = await Promise.all([
      server.domains.create({ endpointId, domainName: "race.test" }),
      server.domains.create({ endpointId, domainName: "RACE.test." }),
    ]);
    expect([a.isOk(), b.isOk()].sort()).toEqual([false, true]);
    expect((a.isErr() ? a.error : b._unsafeUnwrapErr()).code).toBe("Conflict");
    await create("dup.test");
    expect(
      (await server.domains.add({ endpointId, domainName: "dup.test" }))._unsafeUnwrapErr(),
    ).toMatchObject({
      code: "Conflict",
      message: expect.stringMatching(/already a domain .* delete it first/),
    });
    const long = `${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(40)}.test`;
    const cases: [Record<string, unknown>, string][] = [
      [{ domainName: "*.wild.test" }, "domainName"],
      [{ domainName: 42 }, "domainName"],
      [{ domainName: long }, "domainName"],
      [{ domainName: "s.test", scope: { subdomains: "yes" } }, "scope.subdomains"],
      [{ domainName: "s.test", scope: { exactDomain: false } }, "scope"],
      [{ domainName: "s.test", scope: { deep: true } }, "scope.deep"],
      [{ domainName: "s.test", validationMethod: "MANUAL" }, "validationMethod"],
    ];
    for (const [input, field] of cases) {
      const error = (await server.domains.create({ endpointId, ...input } as never))._unsafeUnwrapErr();
      expect(error, field).toMatchObject({ code: "ValidationError", field });
    }
    // A long name can still be approved by hand: it needs no record.
    (await server.domains.add({ endpointId, domainName: long }))._unsafeUnwrap();
    expect(
      (await server.domains.create({ endpointId: "nope", domainName: "x.test" }))._unsafeUnwrapErr().code,
    ).toBe("NotFound");
  });
});

describe("domains.validate", () => {
  it("keeps a domain pending while the record is missing, then SUCCESS once published; orders follow", async () => {
    const { server, client, dns, clock, create, ref } = await dnsSetup();
    const domain = await create("shop.test", { subdomains: true });
    clock.advance(HOUR);
    const missing = (await server.domains.validate(ref(domain)))._unsafeUnwrap();
    expect(missing).toMatchObject({ status: "PENDING_VALIDATION", lastCheckedAt: clock.now().toISOString() });
    expect(missing.failureReason).toBeUndefined();

    // Resolvers answer with any case and a trailing dot; both are the same name.
    dns.publish(domain.validationRecord, `${domain.validationRecord?.value.toUpperCase()}.`);
    clock.advance(HOUR);
    const validated = (await server.domains.validate(ref(domain)))._unsafeUnwrap();
    expect(validated).toMatchObject({ status: "SUCCESS", validatedAt: clock.now().toISOString() });
    expect((await server.domains.describe(ref(domain)))._unsafeUnwrap()).toEqual(validated);

    const acme = await client();
    const issued = await acme.issue(["www.shop.test"]);
    expect(issued.order.status).toBe("valid");
  });

  it("FAILS a domain still unvalidated validationTimeoutMs after creation, saying what DNS had", async () => {
    const { server, dns, clock, create, ref } = await dnsSetup();
    const domain = await create("late.test");
    dns.publish(domain.validationRecord, "someone-else.validation.acme-endpoints.invalid");
    clock.advance(72 * HOUR - 1);
    expect((await server.domains.validate(ref(domain)))._unsafeUnwrap().status).toBe("PENDING_VALIDATION");
    clock.advance(1);
    const failed = (await server.domains.validate(ref(domain)))._unsafeUnwrap();
    expect(failed).toMatchObject({
      status: "FAILED",
      failureReason: expect.stringMatching(/not found within 72 hours.*is "someone-else\.validation/),
    });
    // Publishing now is too late: validate refuses a FAILED domain and says what to do.
    dns.publish(domain.validationRecord);
    expect((await server.domains.validate(ref(domain)))._unsafeUnwrapErr()).toMatchObject({
      code: "Conflict",
      message: expect.stringMatching(/FAILED .*delete it and create it again/),
    });
  });

  it("takes validationTimeoutMs from limits", async () => {
    const { server, clock, create, ref } = await dnsSetup({ limits: { validationTimeoutMs: 30 * 60_000 } });
    const domain = await create("quick.test");
    clock.advance(30 * 60_000);
    expect((await server.domains.validate(ref(domain)))._unsafeUnwrap()).toMatchObject({
      status: "FAILED",
      failureReason: expect.stringMatching(
        /within 30 minutes of the request: there is no CNAME record at _acme-endpoints-/,
      ),
    });
  });

  it("changes nothing when DNS does not answer, and warns the operator", async () => {
    const { server, dns, logger, clock, create, ref } = await dnsSetup();
    const domain = await create("flaky.test");
    dns.publish(domain.validationRecord);
    dns.failing(domain.validationRecord);
    clock.advance(HOUR);
    expect((await server.domains.validate(ref(domain)))._unsafeUnwrap()).toEqual(domain);
    expect(logger.warnings).toContainEqual(expect.stringMatching(/DNS did not answer/));
    dns.answer(domain.validationRecord);
    expect((await server.domains.validate(ref(domain)))._unsafeUnwrap().status).toBe("SUCCESS");
  });

  it("refuses SUCCESS domains and unknown ids", async () => {
    const { server, endpointId, endpoint } = await dnsSetup();
    const [manual] = (await server.domains.list({ endpointId }))._unsafeUnwrap();
    const ref = { endpointId, domainValidationId: String(manual?.id) };
    expect((await server.domains.validate(ref))._unsafeUnwrapErr()).toMatchObject({
      code: "Conflict",
      message: expect.stringMatching(/already SUCCESS; revalidate/),
    });
    expect(
      (await server.domains.validate({ endpointId, domainValidationId: "nope" }))._unsafeUnwrapErr(),
    ).toMatchObject({ code: "NotFound", message: `No domain validation nope in endpoint ${endpoint.id}.` });
    expect((await server.domains.validate({ ...ref, endpointId: "nope" }))._unsafeUnwrapErr().code).toBe(
      "NotFound",
    );
  });

  it("checks TXT records too (joining their character-strings)", async () => {
    const { server, storage, dns, endpointId, ref } = await dnsSetup();
    const pending = await storage.domainValidations.insert({
      id: "txt-domain",
      endpointId,
      domainName: "txt.test",
      scope: { exactDomain: true, subdomains: false, wildcards: false },
      status: "PENDING_VALIDATION",
      validationMethod: "DNS",
      validationRecord: { type: "TXT", name: "_acme-endpoints.txt.test", value: "token-123" },
      createdAt: new Date().toISOString(),
      version: 1,
    });
    const domain = pending._unsafeUnwrap();
    dns.publish(domain.validationRecord);
    expect((await server.domains.validate(ref(domain)))._unsafeUnwrap().status).toBe("SUCCESS");
  });
});

describe("domains.checkPending and domains.revalidate", () => {
  it("checkPending validates every pending DNS domain of the endpoint and answers them", async () => {
    const { server, dns, endpointId, create } = await dnsSetup();
    const published = await create("one.test");
    const unpublished = await create("two.test");
    dns.publish(published.validationRecord);
    const checked = (await server.domains.checkPending({ endpointId }))._unsafeUnwrap();
    expect(checked.map((d) => [d.domainName, d.status]).sort()).toEqual([
      ["one.test", "SUCCESS"],
      ["two.test", "PENDING_VALIDATION"],
    ]);
    expect(dns.lookups.filter((name) => name.endsWith(".example.test"))).toEqual([]); // MANUAL: not looked up
    expect(dns.lookups).toContain(unpublished.validationRecord?.name);
  });

  it("revalidate revokes coverage when the record is gone; outages and MANUAL domains are left alone", async () => {
    const { server, client, dns, clock, endpointId, create, ref } = await dnsSetup();
    const kept = await create("kept.test");
    const gone = await create("gone.test");
    const flaky = await create("flaky.test");
    for (const d of [kept, gone, flaky]) dns.publish(d.validationRecord);
    (await server.domains.checkPending({ endpointId }))._unsafeUnwrap();
    const acme = await client();
    expect((await acme.issue(["gone.test"])).order.status).toBe("valid");

    dns.remove(gone.validationRecord);
    dns.failing(flaky.validationRecord);
    clock.advance(24 * HOUR);
    const lookupsBefore = dns.lookups.length;
    const rechecked = (await server.domains.revalidate({ endpointId }))._unsafeUnwrap();
    expect(dns.lookups.length - lookupsBefore).toBe(3); // the MANUAL example.test is not looked up
    const byName = Object.fromEntries(rechecked.map((d) => [d.domainName, d]));
    expect(byName["kept.test"]).toMatchObject({
      status: "SUCCESS",
      lastCheckedAt: clock.now().toISOString(),
    });
    expect(byName["gone.test"]).toMatchObject({
      status: "FAILED",
      failureReason: expect.stringMatching(/^Coverage revoked on re-validation: there is no CNAME record/),
    });
    expect(byName["flaky.test"]?.status).toBe("SUCCESS");
    expect((await server.domains.describe(ref(gone)))._unsafeUnwrap().status).toBe("FAILED");
    expect((await acme.newOrder(["gone.test"])).body).toMatchObject({ type: PROBLEM("rejectedIdentifier") });
    expect((await acme.issue(["kept.test"])).order.status).toBe("valid");
  });
});

describe("domains.approve, describe, list, delete", () => {
  it("approve marks pending and FAILED domains SUCCESS by hand (MANUAL); revalidate then skips them", async () => {
    const { server, dns, clock, endpointId, create, ref } = await dnsSetup();
    const pending = await create("private.test");
    clock.advance(HOUR);
    const approved = (await server.domains.approve(ref(pending)))._unsafeUnwrap();
    expect(approved).toMatchObject({
      status: "SUCCESS",
      validationMethod: "MANUAL",
      validatedAt: clock.now().toISOString(),
      validationRecord: pending.validationRecord, // kept: it says what was asked for
    });
    const failing = await create("failed.test");
    clock.advance(72 * HOUR);
    expect((await server.domains.validate(ref(failing)))._unsafeUnwrap().status).toBe("FAILED");
    const rescued = (await server.domains.approve(ref(failing)))._unsafeUnwrap();
    expect(rescued).toMatchObject({ status: "SUCCESS", validationMethod: "MANUAL" });
    expect(rescued.failureReason).toBeUndefined();
    expect((await server.domains.approve(ref(failing)))._unsafeUnwrap()).toEqual(rescued);

    const before = dns.lookups.length;
    const rechecked = (await server.domains.revalidate({ endpointId }))._unsafeUnwrap();
    expect(rechecked).toEqual([]);
    expect(dns.lookups.length).toBe(before);
    expect(
      (await server.domains.approve({ endpointId, domainValidationId: "nope" }))._unsafeUnwrapErr().code,
    ).toBe("NotFound");
  });

  it("describes, lists and deletes; a deleted domain authorizes nothing", async () => {
    const { server, client, endpointId, create, ref } = await dnsSetup();
    const domain = await create("temp.test");
    (await server.domains.approve(ref(domain)))._unsafeUnwrap();
    const listed = (await server.domains.list({ endpointId }))._unsafeUnwrap();
    expect(listed.map((d) => d.domainName).sort()).toEqual(["example.test", "temp.test"]);
    const acme = await client();
    expect((await acme.issue(["temp.test"])).order.status).toBe("valid");
    (await server.domains.delete(ref(domain)))._unsafeUnwrap();
    expect((await server.domains.describe(ref(domain)))._unsafeUnwrapErr().code).toBe("NotFound");
    expect((await server.domains.delete(ref(domain)))._unsafeUnwrapErr().code).toBe("NotFound");
    expect((await acme.newOrder(["temp.test"])).body).toMatchObject({ type: PROBLEM("rejectedIdentifier") });
    expect((await server.domains.list({ endpointId: "nope" }))._unsafeUnwrapErr().code).toBe("NotFound");
  });
});
