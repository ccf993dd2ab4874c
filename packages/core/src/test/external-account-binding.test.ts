import { describe, expect, it } from "vitest";
import { generateTestKey, signExternalAccountBinding } from "../testing/acme-client.js";
import { makeExternalAccountKey } from "../testing/fixtures.js";
import { jsonOf, PROBLEM, setup } from "./setup.js";

/** An endpoint requiring EAB, with one ACTIVE key in storage. */
async function eabSetup(overrides: Parameters<typeof makeExternalAccountKey>[1] = {}) {
  const t = await setup({ externalAccountBinding: "REQUIRED" });
  const key = (
    await t.storage.externalAccountKeys.insert(makeExternalAccountKey(t.endpoint, overrides))
  )._unsafeUnwrap();
  const acme = await t.client();
  const binding = (changes: Partial<Parameters<typeof signExternalAccountBinding>[0]> = {}) =>
    signExternalAccountBinding({
      keyId: key.keyId,
      hmacKey: key.hmacKey,
      url: acme.directory.newAccount,
      accountKey: acme.accountKey,
      ...changes,
    });
  return { ...t, key, acme, binding };
}

describe("external account binding (RFC 8555 §7.3.4)", () => {
  it("says externalAccountRequired in the directory and refuses newAccount without a binding", async () => {
    const { acme, server, endpoint } = await eabSetup();
    expect(acme.directory.meta).toMatchObject({ externalAccountRequired: true });
    const response = await acme.register({ termsOfServiceAgreed: true });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      type: PROBLEM("externalAccountRequired"),
      detail: expect.stringMatching(/--eab-kid/),
    });
    const plain = (await server.endpoints.create({ name: "plain" }))._unsafeUnwrap();
    expect((await jsonOf(await server.handle(new Request(plain.endpointUrl)))).meta).toMatchObject({
      externalAccountRequired: false,
    });
    expect(endpoint.externalAccountBinding).toBe("REQUIRED");
  });

  it("binds the account with a valid binding, and records the key id", async () => {
    const { acme, binding, storage, endpoint, key } = await eabSetup();
    const response = await acme.register({
      termsOfServiceAgreed: true,
      externalAccountBinding: binding({ alg: "HS512" }),
    });
    expect(response.status).toBe(201);
    const accountId = String(response.location).split("/").pop() ?? "";
    const account = (await storage.accounts.get(endpoint.id, accountId))._unsafeUnwrap();
    expect(account?.externalAccountBinding).toEqual({ keyId: key.keyId });
    expect(
      (await storage.externalAccountKeys.get(endpoint.id, key.keyId))._unsafeUnwrap()?.lastUsedAt,
    ).toBeDefined();
    expect((await acme.issue(["example.test"])).order.status).toBe("valid");
  });

  it("refuses a wrong MAC, url, payload, unknown key id and bad algorithm, each with a detail", async () => {
    const { acme, binding, key } = await eabSetup();
    const other = generateTestKey("P-256").privateKey;
    const tamperedMac = {
      ...binding(),
      signature: binding({ hmacKey: Buffer.alloc(32, 7).toString("base64url") }).signature,
    };
    const cases: [unknown, string, RegExp][] = [
      [tamperedMac, "unauthorized", /MAC does not verify/],
      [binding({ url: acme.directory.newOrder }), "unauthorized", /`url` must be this newAccount URL/],
      [binding({ accountKey: other }), "unauthorized", /payload must be the account key/],
      [binding({ keyId: "nope" }), "unauthorized", /"nope" is unknown/],
      [
        {
          ...binding(),
          protected: Buffer.from(
            JSON.stringify({ alg: "ES256", kid: key.keyId, url: acme.directory.newAccount }),
          ).toString("base64url"),
        },
        "malformed",
        /MAC algorithm/,
      ],
      ["not-a-jws", "malformed", /flattened JWS/],
    ];
    for (const [externalAccountBinding, type, detail] of cases) {
      const response = await acme.register({ externalAccountBinding });
      expect(response.body, String(detail)).toMatchObject({
        type: PROBLEM(type),
        detail: expect.stringMatching(detail),
      });
    }
  });

  it("refuses a revoked or expired key", async () => {
    const revoked = await eabSetup({ status: "REVOKED" });
    expect((await revoked.acme.register({ externalAccountBinding: revoked.binding() })).body).toMatchObject({
      type: PROBLEM("unauthorized"),
      detail: expect.stringMatching(/revoked/),
    });
    const expired = await eabSetup({ expiresAt: new Date(Date.now() - 1000).toISOString() });
    expect((await expired.acme.register({ externalAccountBinding: expired.binding() })).body).toMatchObject({
      type: PROBLEM("unauthorized"),
      detail: expect.stringMatching(/expired/),
    });
  });

  it("does not accept a key id of another endpoint", async () => {
    const a = await eabSetup();
    const b = await a.server.endpoints.create({ name: "b", externalAccountBinding: "REQUIRED" });
    const { TestAcmeClient } = await import("../testing/acme-client.js");
    const client = await TestAcmeClient.create({
      fetch: a.server.handle,
      directoryUrl: b._unsafeUnwrap().endpointUrl,
    });
    const foreign = signExternalAccountBinding({
      keyId: a.key.keyId,
      hmacKey: a.key.hmacKey,
      url: client.directory.newAccount,
      accountKey: client.accountKey,
    });
    expect((await client.register({ externalAccountBinding: foreign })).body).toMatchObject({
      type: PROBLEM("unauthorized"),
      detail: expect.stringMatching(/unknown at this endpoint/),
    });
  });
});
