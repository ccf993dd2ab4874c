import { describe, expect, it } from "vitest";
import { PROBLEM, setup } from "./setup.js";

describe("newOrder under PRE_APPROVED (RFC 8555 §7.4, seed)", () => {
  it("creates a ready order whose authorizations are already valid", async () => {
    const { client } = await setup();
    const acme = await client();
    await acme.register();
    const response = await acme.newOrder(["www.example.test", "*.example.test"]);
    expect(response.status).toBe(201);
    expect(response.location).toMatch(/\/order\/[A-Za-z0-9_-]+$/);
    expect(response.body).toMatchObject({
      status: "ready",
      identifiers: [
        { type: "dns", value: "www.example.test" },
        { type: "dns", value: "*.example.test" },
      ],
      finalize: `${response.location}/finalize`,
    });
    const [plain, wild] = response.body.authorizations as string[];
    const authz = await acme.send<Record<string, unknown>>(String(plain), undefined);
    expect(authz.body).toMatchObject({
      status: "valid",
      identifier: { type: "dns", value: "www.example.test" },
    });
    const wildAuthz = await acme.send<Record<string, unknown>>(String(wild), undefined);
    expect(wildAuthz.body).toMatchObject({
      status: "valid",
      wildcard: true,
      identifier: { value: "example.test" },
    });
    const [challenge] = authz.body.challenges as { url: string; status: string }[];
    expect(challenge?.status).toBe("valid");
    const answered = await acme.send(String(challenge?.url), {});
    expect(answered.status).toBe(200);
    expect(answered.headers.get("link")).toContain(`<${plain}>;rel="up"`);
    const read = await acme.send(String(response.location), undefined);
    expect(read.body).toMatchObject({ status: "ready" });
  });

  it("rejects identifiers outside the validated domains with one subproblem each", async () => {
    const { client } = await setup();
    const acme = await client();
    await acme.register();
    const response = await acme.newOrder(["ok.example.test", "evil.test", "also.evil.test"]);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      type: PROBLEM("rejectedIdentifier"),
      subproblems: [
        { type: PROBLEM("rejectedIdentifier"), identifier: { type: "dns", value: "evil.test" } },
        { type: PROBLEM("rejectedIdentifier"), identifier: { type: "dns", value: "also.evil.test" } },
      ],
    });
  });

  it("honours the domain's scope flags", async () => {
    const { client } = await setup({}, {});
    const exactOnly = await setup();
    await exactOnly.server.domains.add({ endpointId: exactOnly.endpoint.id, domainName: "exact.test" });
    const acme = await exactOnly.client();
    await acme.register();
    expect((await acme.newOrder(["exact.test"])).status).toBe(201);
    expect((await acme.newOrder(["sub.exact.test"])).body).toMatchObject({
      type: PROBLEM("rejectedIdentifier"),
    });
    expect((await acme.newOrder(["*.exact.test"])).body).toMatchObject({
      type: PROBLEM("rejectedIdentifier"),
      detail: expect.stringMatching(/wildcards allowed/),
    });
    const wide = await client();
    await wide.register();
    expect((await wide.newOrder(["deep.sub.example.test", "*.sub.example.test"])).status).toBe(201);
  });

  it("refuses identifiers that are not valid DNS names, naming the fix", async () => {
    const { client } = await setup();
    const acme = await client();
    await acme.register();
    const bad: [unknown, string, RegExp][] = [
      [[{ type: "dns", value: "WWW.example.test" }], "rejectedIdentifier", /lower case/],
      [[{ type: "dns", value: "www.example.test." }], "rejectedIdentifier", /trailing dot/],
      [[{ type: "dns", value: "a..example.test" }], "rejectedIdentifier", /empty label/],
      [[{ type: "dns", value: "a_b.example.test" }], "rejectedIdentifier", /characters/],
      [[{ type: "dns", value: "*.*.example.test" }], "rejectedIdentifier", /wildcard/],
      [[{ type: "dns", value: "bücher.example.test" }], "rejectedIdentifier", /A-label/],
      [
        [
          {
            type: "dns",
            value: `${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(60)}.example.test`,
          },
        ],
        "rejectedIdentifier",
        /253/,
      ],
      [[{ type: "ip", value: "127.0.0.1" }], "unsupportedIdentifier", /only "dns"/],
      [
        [
          { type: "dns", value: "x.example.test" },
          { type: "dns", value: "x.example.test" },
        ],
        "malformed",
        /more than once/,
      ],
      [[], "malformed", /non-empty/],
      ["example.test", "malformed", /array/],
    ];
    for (const [identifiers, type, detail] of bad) {
      const response = await acme.send(acme.directory.newOrder, { identifiers });
      expect(response.status, JSON.stringify(identifiers)).toBe(400);
      expect(response.body, JSON.stringify(identifiers)).toMatchObject({
        type: PROBLEM(type),
        detail: expect.stringMatching(detail),
      });
    }
  });

  it("accepts notBefore/notAfter within the maximum validity and refuses others explicitly", async () => {
    const { client } = await setup();
    const acme = await client();
    await acme.register();
    const now = Date.now();
    const notBefore = new Date(now + 3_600_000).toISOString();
    const notAfter = new Date(now + 10 * 86_400_000).toISOString();
    const ok = await acme.newOrder(["example.test"], { notBefore, notAfter });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ notBefore, notAfter });
    const past = await acme.newOrder(["example.test"], { notAfter: new Date(now - 1000).toISOString() });
    expect(past.body).toMatchObject({ type: PROBLEM("malformed"), detail: expect.stringMatching(/past/) });
    const tooLong = await acme.newOrder(["example.test"], {
      notAfter: new Date(now + 800 * 86_400_000).toISOString(),
    });
    expect(tooLong.body).toMatchObject({
      type: PROBLEM("malformed"),
      detail: expect.stringMatching(/maximum of 397 days/),
    });
    const notADate = await acme.newOrder(["example.test"], { notBefore: "tomorrow" });
    expect(notADate.body).toMatchObject({
      type: PROBLEM("malformed"),
      detail: expect.stringMatching(/RFC 3339/),
    });
  });

  it("refuses more identifiers than the documented maximum", async () => {
    const { client } = await setup({}, { limits: { maxIdentifiersPerOrder: 3 } });
    const acme = await client();
    await acme.register();
    const response = await acme.newOrder(["a", "b", "c", "d"].map((l) => `${l}.example.test`));
    expect(response.body).toMatchObject({
      type: PROBLEM("rejectedIdentifier"),
      detail: expect.stringMatching(/at most 3/),
    });
  });

  it("keeps orders and authorizations to their account", async () => {
    const { client } = await setup();
    const a = await client();
    const b = await client();
    await a.register();
    await b.register();
    const order = await a.newOrder(["example.test"]);
    expect((await b.send(String(order.location), undefined)).body).toMatchObject({
      type: PROBLEM("unauthorized"),
    });
    const [authz] = order.body.authorizations as string[];
    expect((await b.send(String(authz), undefined)).body).toMatchObject({ type: PROBLEM("unauthorized") });
  });

  it("deactivates an authorization on request (§7.5.2)", async () => {
    const { client } = await setup();
    const acme = await client();
    await acme.register();
    const order = await acme.newOrder(["example.test"]);
    const [authz] = order.body.authorizations as string[];
    const response = await acme.send(String(authz), { status: "deactivated" });
    expect(response.body).toMatchObject({ status: "deactivated" });
    const again = await acme.send(String(authz), { status: "deactivated" });
    expect(again.body).toMatchObject({ type: PROBLEM("malformed") });
  });
});

describe("read-only resources (RFC 8555 §6.3 POST-as-GET)", () => {
  it("answer 404 for unknown ids and malformed for a payload where POST-as-GET is required", async () => {
    const { client } = await setup();
    const acme = await client();
    const issued = await acme.issue(["example.test"]);
    const order = String(issued.orderUrl);
    const [authz] = issued.order.authorizations as string[];
    const authzRead = await acme.send<{ challenges: { url: string }[] }>(String(authz), undefined);
    const challenge = String(authzRead.body.challenges[0]?.url);
    const certificate = String(issued.order.certificate);
    const swapId = (url: string) => url.replace(/[^/]+$/, "AAAAAAAAAAAAAAAA");
    for (const url of [swapId(order), swapId(String(authz)), swapId(challenge), swapId(certificate)]) {
      const response = await acme.send(url, undefined);
      expect(response.status, url).toBe(404);
      expect(response.body, url).toMatchObject({ type: PROBLEM("malformed") });
      expect(response.headers.get("replay-nonce"), url).toBeTruthy();
    }
    for (const url of [order, certificate, `${acme.accountUrl}/orders`]) {
      const response = await acme.send(url, { please: "read" });
      expect(response.body, url).toMatchObject({
        type: PROBLEM("malformed"),
        detail: expect.stringMatching(/POST-as-GET/),
      });
    }
    const badUpdate = await acme.send(String(authz), { status: "valid" });
    expect(badUpdate.body).toMatchObject({
      type: PROBLEM("malformed"),
      detail: expect.stringMatching(/deactivated/),
    });
  });
});
