import { errAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import { createTestCsr } from "../crypto/test-csr.js";
import type { CreateEndpointInput } from "../management/endpoints.js";
import { clientAddressKey, registeredDomain } from "../policy/rate-limits.js";
import { createMemoryRateLimiter, type RateLimiter } from "../ports/rate-limiter.js";
import { generateTestKey, TestAcmeClient } from "../testing/acme-client.js";
import { fakeClock } from "./management-fakes.js";
import { PROBLEM, setup } from "./setup.js";

const HOUR = 3_600_000;

/** A server whose clock the test moves, and clients that come from a given address. */
async function limited(endpoint: CreateEndpointInput, rateLimiter?: RateLimiter) {
  const clock = fakeClock(Date.UTC(2030, 0, 1));
  const t = await setup(endpoint, { clock, ...(rateLimiter ? { rateLimiter } : {}) });
  const from = (clientAddress?: string, endpointUrl = t.endpoint.endpointUrl) =>
    TestAcmeClient.create({
      fetch: (r) => t.server.handle(r, clientAddress === undefined ? {} : { clientAddress }),
      directoryUrl: endpointUrl,
    });
  return { ...t, clock, from };
}

function expectRateLimited(
  response: { status: number; headers: Headers; body: unknown },
  retryAfterSeconds: number,
) {
  expect(response.status).toBe(429);
  expect(response.headers.get("retry-after")).toBe(String(retryAfterSeconds));
  expect(response.headers.get("content-type")).toContain("application/problem+json");
  expect(response.body).toMatchObject({ type: PROBLEM("rateLimited"), status: 429 });
  expect(String((response.body as { detail: string }).detail)).toMatch(/RFC 8555 §6\.6.*retry after 20\d\d-/);
}

describe("rate limits (RFC 8555 §6.6)", () => {
  it("limits new accounts per client IP, stores nothing when refusing, and refills", async () => {
    const { from, clock } = await limited({ rateLimits: { newAccountsPerIp: { count: 2, windowMs: HOUR } } });
    for (let i = 0; i < 2; i++) expect((await (await from("192.0.2.7")).register()).status).toBe(201);
    const refused = await from("192.0.2.7");
    const response = await refused.register();
    expectRateLimited(response, 1800);
    expect(String((response.body as { detail: string }).detail)).toContain(
      "at most 2 new accounts per IP address per hour",
    );
    // Nothing was stored: the key has no account.
    const lookup = await refused.register({ onlyReturnExisting: true });
    expect(lookup.body).toMatchObject({ type: PROBLEM("accountDoesNotExist") });
    // Other addresses are not limited.
    expect((await (await from("192.0.2.8")).register()).status).toBe(201);
    // IPv4-mapped IPv6 is the same client.
    expect((await (await from("::ffff:192.0.2.7")).register()).status).toBe(429);
    clock.advance(HOUR / 2);
    expect((await refused.register()).status).toBe(201);
    expect((await refused.register()).status).toBe(200);
  });

  it("does not apply the per-IP limit when the adapter gives no address", async () => {
    const { from } = await limited({ rateLimits: { newAccountsPerIp: { count: 1, windowMs: HOUR } } });
    for (let i = 0; i < 3; i++) expect((await (await from()).register()).status).toBe(201);
  });

  it("limits new orders per account, storing no order when refusing", async () => {
    const { from, clock, storage, endpoint } = await limited({
      rateLimits: { newOrdersPerAccount: { count: 2, windowMs: 60_000 } },
    });
    const acme = await from("192.0.2.1");
    await acme.register();
    const other = await from("192.0.2.1");
    await other.register();
    expect((await acme.newOrder(["a.example.test"])).status).toBe(201);
    expect((await acme.newOrder(["b.example.test"])).status).toBe(201);
    const response = await acme.newOrder(["c.example.test"]);
    expectRateLimited(response, 30);
    expect(String((response.body as { detail: string }).detail)).toContain(
      "at most 2 new orders per account per minute",
    );
    const accountId = String(acme.accountUrl).split("/").pop() as string;
    const orders = (
      await storage.orders.listByAccount(endpoint.id, accountId, { limit: 10 })
    )._unsafeUnwrap();
    expect(orders.items).toHaveLength(2);
    // Another account of the same endpoint has its own budget.
    expect((await other.newOrder(["c.example.test"])).status).toBe(201);
    // An invalid order does not count.
    clock.advance(30_000);
    expect((await acme.newOrder(["evil.test"])).status).toBe(400);
    expect((await acme.newOrder(["c.example.test"])).status).toBe(201);
  });

  it("limits certificates per registered domain at finalize, leaving the order ready", async () => {
    const { from, clock, server, endpoint } = await limited({
      rateLimits: { certificatesPerDomain: { count: 1, windowMs: 24 * HOUR } },
    });
    const acme = await from();
    await acme.issue(["www.example.test"]);
    const created = await acme.newOrder(["api.example.test"]);
    const key = generateTestKey("P-256").privateKey;
    const csr = createTestCsr({ privateKey: key, dnsNames: ["api.example.test"] });
    const response = await acme.finalize(created.body, csr);
    expectRateLimited(response, 24 * 3600);
    expect(String((response.body as { detail: string }).detail)).toContain(
      "at most 1 certificates per registered domain (example.test) per day",
    );
    const order = await acme.send<Record<string, unknown>>(String(created.location), undefined);
    expect(order.body.status).toBe("ready");
    const certificates = (await server.certificates.list())._unsafeUnwrap();
    expect(certificates.certificates).toHaveLength(1);
    // Another registered domain has its own budget.
    (await server.domains.add({ endpointId: endpoint.id, domainName: "other.test" }))._unsafeUnwrap();
    await acme.issue(["other.test"]);
    clock.advance(24 * HOUR);
    expect((await acme.finalize(created.body, csr)).body).toMatchObject({ status: "valid" });
  });

  it("keeps limits per endpoint, and leaves endpoints without rateLimits unlimited", async () => {
    const rateLimiter = createMemoryRateLimiter();
    const { from, server } = await limited(
      { rateLimits: { newAccountsPerIp: { count: 1, windowMs: HOUR } } },
      rateLimiter,
    );
    const second = (
      await server.endpoints.create({ rateLimits: { newAccountsPerIp: { count: 1, windowMs: HOUR } } })
    )._unsafeUnwrap();
    const open = (await server.endpoints.create({}))._unsafeUnwrap();
    expect(open.rateLimits).toBeUndefined();
    expect((await (await from("192.0.2.9")).register()).status).toBe(201);
    expect((await (await from("192.0.2.9")).register()).status).toBe(429);
    expect((await (await from("192.0.2.9", second.endpointUrl)).register()).status).toBe(201);
    for (let i = 0; i < 5; i++) {
      const acme = await from("192.0.2.9", open.endpointUrl);
      expect((await acme.register()).status).toBe(201);
      for (let j = 0; j < 3; j++) expect((await acme.newOrder([])).status).not.toBe(429);
    }
  });

  it("takes effect on update and is removed by rateLimits: {}", async () => {
    const { from, server, endpoint } = await limited({});
    const on = await server.endpoints.update({
      endpointId: endpoint.id,
      rateLimits: { newAccountsPerIp: { count: 1 } },
    });
    expect(on._unsafeUnwrap().rateLimits).toEqual({ newAccountsPerIp: { count: 1, windowMs: 3 * HOUR } });
    expect((await (await from("198.51.100.1")).register()).status).toBe(201);
    expect((await (await from("198.51.100.1")).register()).status).toBe(429);
    (await server.endpoints.update({ endpointId: endpoint.id, rateLimits: {} }))._unsafeUnwrap();
    expect((await (await from("198.51.100.1")).register()).status).toBe(201);
  });

  it("lets requests through when the limiter fails", async () => {
    const broken: RateLimiter = { take: () => errAsync({ message: "down" }) };
    const { from } = await limited(
      { rateLimits: { newAccountsPerIp: { count: 1, windowMs: HOUR } } },
      broken,
    );
    for (let i = 0; i < 2; i++) expect((await (await from("192.0.2.1")).register()).status).toBe(201);
  });
});

describe("rate limit settings (endpoints.create / update)", () => {
  it("completes a partly given limit from the documented defaults", async () => {
    const { server } = await setup();
    const created = await server.endpoints.create({
      rateLimits: {
        newAccountsPerIp: {},
        newOrdersPerAccount: { windowMs: 60_000 },
        certificatesPerDomain: { count: 5 },
      },
    });
    expect(created._unsafeUnwrap().rateLimits).toEqual({
      newAccountsPerIp: { count: 10, windowMs: 3 * HOUR },
      newOrdersPerAccount: { count: 300, windowMs: 60_000 },
      certificatesPerDomain: { count: 5, windowMs: 7 * 24 * HOUR },
    });
  });

  it.each([
    [{ rateLimits: "lots" }, "rateLimits"],
    [{ rateLimits: { newAccountsPerIP: {} } }, "rateLimits.newAccountsPerIP"],
    [{ rateLimits: { newAccountsPerIp: 5 } }, "rateLimits.newAccountsPerIp"],
    [{ rateLimits: { newAccountsPerIp: { count: 0 } } }, "rateLimits.newAccountsPerIp.count"],
    [{ rateLimits: { newOrdersPerAccount: { count: 1.5 } } }, "rateLimits.newOrdersPerAccount.count"],
    [{ rateLimits: { newOrdersPerAccount: { count: "3" } } }, "rateLimits.newOrdersPerAccount.count"],
    [
      { rateLimits: { certificatesPerDomain: { windowMs: 999 } } },
      "rateLimits.certificatesPerDomain.windowMs",
    ],
    [
      { rateLimits: { certificatesPerDomain: { windowMs: 7 * 24 * HOUR + 1 } } },
      "rateLimits.certificatesPerDomain.windowMs",
    ],
    [{ rateLimits: { certificatesPerDomain: { count: 1, per: 2 } } }, "rateLimits.certificatesPerDomain.per"],
  ])("refuses %j naming %s, on create and on update", async (input, field) => {
    const { server, endpoint } = await setup();
    const created = await server.endpoints.create(input as CreateEndpointInput);
    expect(created._unsafeUnwrapErr()).toMatchObject({ code: "ValidationError", field });
    const updated = await server.endpoints.update({ endpointId: endpoint.id, ...(input as object) });
    expect(updated._unsafeUnwrapErr()).toMatchObject({ code: "ValidationError", field });
    expect((await server.endpoints.describe(endpoint.id))._unsafeUnwrap().rateLimits).toBeUndefined();
  });

  it("accepts the bounds: windowMs of 1 s and of 7 days", async () => {
    const { server } = await setup();
    const created = await server.endpoints.create({
      rateLimits: {
        newAccountsPerIp: { count: 1, windowMs: 1_000 },
        certificatesPerDomain: { count: 1, windowMs: 7 * 24 * HOUR },
      },
    });
    expect(created.isOk()).toBe(true);
  });
});

describe("rate limit keys", () => {
  it("approximates the registered domain by the last two labels", () => {
    expect(registeredDomain({ type: "dns", value: "www.shop.Example.com" })).toBe("example.com");
    expect(registeredDomain({ type: "dns", value: "*.example.com" })).toBe("example.com");
    expect(registeredDomain({ type: "dns", value: "a.example.co.uk" })).toBe("co.uk");
  });

  it("keys IPv4 (also mapped) by address and IPv6 by /64", () => {
    expect(clientAddressKey("192.0.2.1")).toBe("192.0.2.1");
    expect(clientAddressKey("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(clientAddressKey("2001:db8:1:2:3:4:5:6")).toBe("2001:db8:1:2::/64");
    expect(clientAddressKey("2001:db8:1:2::9")).toBe("2001:db8:1:2::/64");
    expect(clientAddressKey("not an address")).toBeUndefined();
    expect(clientAddressKey(undefined)).toBeUndefined();
  });
});
