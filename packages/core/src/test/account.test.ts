import { describe, expect, it } from "vitest";
import { generateTestKey } from "../testing/acme-client.js";
import { PROBLEM, setup } from "./setup.js";

describe("newAccount (RFC 8555 §7.3)", () => {
  it("creates with 201 + Location, and answers 200 with the same Location for the same key", async () => {
    const { client } = await setup();
    const acme = await client();
    const created = await acme.register({ termsOfServiceAgreed: true, contact: ["mailto:ops@example.test"] });
    expect(created.status).toBe(201);
    expect(created.location).toMatch(/\/acct\/[A-Za-z0-9_-]+$/);
    expect(created.body).toMatchObject({
      status: "valid",
      contact: ["mailto:ops@example.test"],
      orders: `${created.location}/orders`,
    });
    const again = await acme.send(acme.directory.newAccount, {}, { useJwk: true });
    expect(again.status).toBe(200);
    expect(again.location).toBe(created.location);
    const existing = await acme.send(
      acme.directory.newAccount,
      { onlyReturnExisting: true },
      { useJwk: true },
    );
    expect(existing.status).toBe(200);
    expect(existing.location).toBe(created.location);
  });

  it("answers accountDoesNotExist for onlyReturnExisting with an unknown key, creating nothing", async () => {
    const { client } = await setup();
    const acme = await client();
    const response = await acme.send(
      acme.directory.newAccount,
      { onlyReturnExisting: true },
      { useJwk: true },
    );
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ type: PROBLEM("accountDoesNotExist") });
    const later = await acme.send(acme.directory.newAccount, { onlyReturnExisting: true }, { useJwk: true });
    expect(later.status).toBe(400);
  });

  it("enforces contact REQUIRED with invalidContact that says what to add", async () => {
    const { client } = await setup({ contact: "REQUIRED" });
    const acme = await client();
    const none = await acme.register({ termsOfServiceAgreed: true });
    expect(none.status).toBe(400);
    expect(none.body).toMatchObject({
      type: PROBLEM("invalidContact"),
      detail: expect.stringMatching(/requires a contact/),
    });
    const withEmail = await acme.register({ contact: ["mailto:a@example.test"] });
    expect(withEmail.status).toBe(201);
  });

  it("accepts only mailto: contacts with exactly one address", async () => {
    const { client } = await setup();
    const cases: [unknown, string][] = [
      [["tel:+1555"], "unsupportedContact"],
      [["mailto:a@example.test,b@example.test"], "invalidContact"],
      [["mailto:a@example.test?subject=hi"], "invalidContact"],
      [["mailto:not-an-address"], "invalidContact"],
      [["mailto:a@example.test\r\nBcc: x@evil.test"], "invalidContact"],
      ["mailto:a@example.test", "malformed"],
      [[42], "malformed"],
    ];
    for (const [contact, type] of cases) {
      const acme = await client();
      const response = await acme.register({ contact });
      expect(response.body, JSON.stringify(contact)).toMatchObject({ type: PROBLEM(type) });
    }
  });

  it("requires termsOfServiceAgreed when the directory has terms of service", async () => {
    const { client } = await setup({}, { directoryMeta: { termsOfService: "https://example.test/tos" } });
    const acme = await client();
    expect(acme.directory.meta).toMatchObject({ termsOfService: "https://example.test/tos" });
    const refused = await acme.register({});
    expect(refused.body).toMatchObject({
      type: PROBLEM("malformed"),
      detail: expect.stringMatching(/termsOfServiceAgreed/),
    });
    expect((await acme.register({ termsOfServiceAgreed: true })).status).toBe(201);
  });
});

describe("account (RFC 8555 §7.3.2, §7.3.6)", () => {
  it("reads with POST-as-GET and updates contact", async () => {
    const { client } = await setup();
    const acme = await client();
    await acme.register();
    const url = String(acme.accountUrl);
    const read = await acme.send(url, undefined);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ status: "valid", contact: [] });
    const updated = await acme.send(url, { contact: ["mailto:new@example.test"] });
    expect(updated.body).toMatchObject({ contact: ["mailto:new@example.test"] });
    const bad = await acme.send(url, { contact: ["http://x"] });
    expect(bad.body).toMatchObject({ type: PROBLEM("unsupportedContact") });
  });

  it("deactivates, after which the key can do nothing", async () => {
    const { client } = await setup();
    const acme = await client();
    await acme.register();
    const url = String(acme.accountUrl);
    const bad = await acme.send(url, { status: "revoked" });
    expect(bad.body).toMatchObject({ type: PROBLEM("malformed") });
    const done = await acme.send(url, { status: "deactivated" });
    expect(done.body).toMatchObject({ status: "deactivated" });
    const after = await acme.newOrder(["example.test"]);
    expect(after.status).toBe(403);
    expect(after.body).toMatchObject({
      type: PROBLEM("unauthorized"),
      detail: expect.stringMatching(/deactivated/),
    });
    const register = await acme.send(acme.directory.newAccount, {}, { useJwk: true });
    expect(register.body).toMatchObject({ type: PROBLEM("unauthorized") });
  });

  it("refuses reading another account", async () => {
    const { client } = await setup();
    const a = await client();
    const b = await client();
    await a.register();
    await b.register();
    const response = await b.send(String(a.accountUrl), undefined);
    expect(response.body).toMatchObject({ type: PROBLEM("unauthorized") });
  });

  it("lists the account's orders a page at a time with Link rel=next", async () => {
    const { client } = await setup({}, { limits: { ordersPageSize: 2 } });
    const acme = await client();
    await acme.register();
    const other = await client();
    await other.register();
    await other.newOrder(["example.test"]);
    const created: string[] = [];
    for (const name of ["a.example.test", "b.example.test", "c.example.test"]) {
      created.push(String((await acme.newOrder([name])).location));
    }
    const first = await acme.send<{ orders: string[] }>(`${acme.accountUrl}/orders`, undefined);
    expect(first.body.orders).toEqual(created.slice(0, 2));
    const next = /<([^>]+)>;rel="next"/.exec(first.headers.get("link") ?? "")?.[1];
    expect(next).toBeDefined();
    const second = await acme.send<{ orders: string[] }>(String(next), undefined);
    expect(second.body.orders).toEqual(created.slice(2));
    expect(second.headers.get("link") ?? "").not.toMatch(/rel="next"/);
    const forged = await acme.send(`${acme.accountUrl}/orders?cursor=forged`, undefined);
    expect(forged.status).toBe(400);
    expect(forged.body).toMatchObject({ type: PROBLEM("malformed") });
  });
});

describe("keyChange (RFC 8555 §7.3.5)", () => {
  async function rollover(
    acme: Awaited<ReturnType<Awaited<ReturnType<typeof setup>>["client"]>>,
    newKey = generateTestKey("P-384").privateKey,
    inner: Record<string, unknown> = {},
  ) {
    const url = acme.directory.keyChange;
    const { publicJwk, signJws } = await import("../testing/acme-client.js");
    const innerJws = await signJws(
      newKey,
      { url, jwk: publicJwk(newKey), ...inner },
      {
        account: acme.accountUrl,
        oldKey: publicJwk(acme.accountKey),
      },
    );
    return { response: await acme.send<Record<string, unknown>>(url, innerJws), newKey };
  }

  it("rolls the account over to a new key: the old stops working, the new works", async () => {
    const { client } = await setup();
    const acme = await client();
    await acme.register();
    const oldKey = acme.accountKey;
    const { response, newKey } = await rollover(acme);
    expect(response.status).toBe(200);
    acme.accountKey = newKey;
    expect((await acme.newOrder(["example.test"])).status).toBe(201);
    acme.accountKey = oldKey;
    expect((await acme.newOrder(["example.test"])).status).toBe(400);
    const lookup = await acme.send(
      acme.directory.newAccount,
      { onlyReturnExisting: true },
      { useJwk: true, key: newKey },
    );
    expect(lookup.location).toBe(acme.accountUrl);
  });

  it("answers 409 with the other account's Location when the new key is taken", async () => {
    const { client } = await setup();
    const a = await client();
    const b = await client();
    await a.register();
    await b.register();
    const { response } = await rollover(a, b.accountKey);
    expect(response.status).toBe(409);
    expect(response.location).toBe(b.accountUrl);
  });

  it("refuses an inner JWS for another url or with a wrong old key", async () => {
    const { client } = await setup();
    const acme = await client();
    await acme.register();
    const wrongUrl = await rollover(acme, undefined, { url: acme.directory.newOrder });
    expect(wrongUrl.response.body).toMatchObject({
      type: PROBLEM("malformed"),
      detail: expect.stringMatching(/inner JWS `url`/),
    });
    const { publicJwk, signJws } = await import("../testing/acme-client.js");
    const newKey = generateTestKey("P-256").privateKey;
    const url = acme.directory.keyChange;
    const innerJws = await signJws(
      newKey,
      { url, jwk: publicJwk(newKey) },
      {
        account: acme.accountUrl,
        oldKey: publicJwk(generateTestKey("P-256").privateKey),
      },
    );
    const wrongOld = await acme.send(url, innerJws);
    expect(wrongOld.body).toMatchObject({
      type: PROBLEM("unauthorized"),
      detail: expect.stringMatching(/oldKey/),
    });
  });
});
