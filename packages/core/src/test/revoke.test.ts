import { describe, expect, it } from "vitest";
import { generateTestKey } from "../testing/acme-client.js";
import { PROBLEM, setup } from "./setup.js";

function leafDerBase64url(pem: string): string {
  const body = /-----BEGIN CERTIFICATE-----([^-]+)-----END/.exec(pem)?.[1] ?? "";
  return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("base64url");
}

describe("revokeCert (RFC 8555 §7.6)", () => {
  it("revokes with the ordering account's key, then answers alreadyRevoked", async () => {
    const { client, storage, endpoint } = await setup();
    const acme = await client();
    const issued = await acme.issue(["example.test"]);
    const certificate = leafDerBase64url(issued.certificatePem);
    const revoked = await acme.send(acme.directory.revokeCert, { certificate, reason: 4 });
    expect(revoked.status).toBe(200);
    const serial = String(issued.order.certificate).split("/").pop() ?? "";
    const record = (await storage.certificates.get(endpoint.id, serial))._unsafeUnwrap();
    expect(record).toMatchObject({ status: "revoked", revocationReason: 4 });
    const again = await acme.send(acme.directory.revokeCert, { certificate });
    expect(again.body).toMatchObject({ type: PROBLEM("alreadyRevoked") });
  });

  it("revokes with the certificate's own key in jwk", async () => {
    const { client } = await setup();
    const acme = await client();
    const issued = await acme.issue(["example.test"]);
    const certificate = leafDerBase64url(issued.certificatePem);
    const response = await acme.send(
      acme.directory.revokeCert,
      { certificate },
      { useJwk: true, key: issued.certificateKey },
    );
    expect(response.status).toBe(200);
  });

  it("refuses a key that is neither the account's nor the certificate's, and bad reasons", async () => {
    const { client } = await setup();
    const acme = await client();
    const issued = await acme.issue(["example.test"]);
    const certificate = leafDerBase64url(issued.certificatePem);
    const stranger = generateTestKey("P-256").privateKey;
    const byStranger = await acme.send(
      acme.directory.revokeCert,
      { certificate },
      { useJwk: true, key: stranger },
    );
    expect(byStranger.body).toMatchObject({ type: PROBLEM("unauthorized") });
    for (const reason of [7, 11, -1, "1", 1.5]) {
      const response = await acme.send(acme.directory.revokeCert, { certificate, reason });
      expect(response.body, String(reason)).toMatchObject({ type: PROBLEM("badRevocationReason") });
    }
    const garbage = await acme.send(acme.directory.revokeCert, { certificate: "AAAA" });
    expect(garbage.body).toMatchObject({ type: PROBLEM("malformed") });
  });

  it("lets another account of the endpoint revoke only while the domains cover every name", async () => {
    const { client, server, endpoint } = await setup();
    const owner = await client();
    const issued = await owner.issue(["example.test"]);
    const certificate = leafDerBase64url(issued.certificatePem);
    const other = await client();
    await other.register();
    const [domain] = (await server.domains.list({ endpointId: endpoint.id }))._unsafeUnwrap();
    await server.domains.delete({ endpointId: endpoint.id, domainValidationId: String(domain?.id) });
    expect((await other.send(other.directory.revokeCert, { certificate })).body).toMatchObject({
      type: PROBLEM("unauthorized"),
    });
    await server.domains.add({ endpointId: endpoint.id, domainName: "example.test" });
    expect((await other.send(other.directory.revokeCert, { certificate })).status).toBe(200);
  });
});

describe("endpoint isolation", () => {
  it("keeps accounts, orders and certificates of one endpoint out of reach of another", async () => {
    const a = await setup();
    const acme = await a.client();
    const issued = await acme.issue(["example.test"]);
    const other = (await a.server.endpoints.create({ name: "b" }))._unsafeUnwrap();
    await a.server.domains.add({ endpointId: other.id, domainName: "example.test" });
    const { TestAcmeClient } = await import("../testing/acme-client.js");
    const b = await TestAcmeClient.create({ fetch: a.server.handle, directoryUrl: other.endpointUrl });
    await b.register();
    const swap = (url: string) => url.replace(a.endpoint.id, other.id);
    for (const url of [String(issued.order.certificate), issued.orderUrl, String(acme.accountUrl)]) {
      const response = await b.send(swap(url), undefined);
      expect(response.status, url).toBe(url === acme.accountUrl ? 403 : 404);
    }
    const revoke = await b.send(b.directory.revokeCert, {
      certificate: leafDerBase64url(issued.certificatePem),
    });
    expect(revoke.status).toBe(404);
    // The same key registers a separate account at endpoint B.
    const sameKey = await TestAcmeClient.create({
      fetch: a.server.handle,
      directoryUrl: other.endpointUrl,
      accountKey: acme.accountKey,
    });
    const registered = await sameKey.register();
    expect(registered.status).toBe(201);
    expect(registered.location).not.toBe(acme.accountUrl);
  });

  it("answers with a problem once an endpoint is deleted", async () => {
    const { client, server, endpoint } = await setup();
    const acme = await client();
    await acme.register();
    (await server.endpoints.delete(endpoint.id))._unsafeUnwrap();
    const response = await server.handle(new Request(endpoint.endpointUrl));
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({
      type: PROBLEM("malformed"),
      detail: expect.stringMatching(/No ACME endpoint/),
    });
    expect((await server.endpoints.describe(endpoint.id))._unsafeUnwrapErr().code).toBe("NotFound");
  });
});
