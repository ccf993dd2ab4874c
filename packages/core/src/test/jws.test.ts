import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateTestKey, publicJwk, signJws } from "../testing/acme-client.js";
import { jsonOf, PROBLEM, rawPost, setup } from "./setup.js";

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

describe("JWS request authentication (RFC 8555 §6.2–6.5)", () => {
  it("refuses a Content-Type other than application/jose+json with 415", async () => {
    const { server, client } = await setup();
    const acme = await client();
    const body = await acme.body(acme.directory.newAccount, {}, { useJwk: true });
    const response = await rawPost(
      server.handle,
      acme.directory.newAccount,
      JSON.stringify(body),
      "application/json",
    );
    expect(response.status).toBe(415);
    expect(response.headers.get("replay-nonce")).not.toBeNull();
    expect(await jsonOf(response)).toMatchObject({ type: PROBLEM("malformed"), status: 415 });
  });

  it("refuses alg none and HMAC with badSignatureAlgorithm listing the accepted algorithms", async () => {
    const { server, client } = await setup();
    const acme = await client();
    for (const alg of ["none", "HS256"]) {
      const nonce = await acme.nonce();
      const body = {
        protected: b64({ alg, nonce, url: acme.directory.newAccount, jwk: publicJwk(acme.accountKey) }),
        payload: b64({}),
        signature: "",
      };
      const response = await rawPost(server.handle, acme.directory.newAccount, JSON.stringify(body));
      const problem = await jsonOf(response);
      expect(problem.type).toBe(PROBLEM("badSignatureAlgorithm"));
      expect(problem.algorithms).toEqual(["ES256", "ES384", "ES512", "RS256", "EdDSA"]);
    }
  });

  it("needs exactly one of jwk and kid", async () => {
    const { client } = await setup();
    const acme = await client();
    await acme.register();
    const both = await acme.send(
      acme.directory.newOrder,
      {},
      { header: { jwk: publicJwk(acme.accountKey) } },
    );
    expect(both.body).toMatchObject({
      type: PROBLEM("malformed"),
      detail: expect.stringMatching(/exactly one of `jwk` and `kid`/),
    });
    const jwkOnKidResource = await acme.send(acme.directory.newOrder, { identifiers: [] }, { useJwk: true });
    expect(jwkOnKidResource.body).toMatchObject({
      type: PROBLEM("malformed"),
      detail: expect.stringMatching(/needs a JWS with `kid`/),
    });
  });

  it("refuses a url that is not the request URL", async () => {
    const { server, client } = await setup();
    const acme = await client();
    const body = await acme.body(acme.directory.newOrder, {}, { useJwk: true });
    const response = await rawPost(server.handle, acme.directory.newAccount, JSON.stringify(body));
    expect(response.status).toBe(403);
    expect((await jsonOf(response)).type).toBe(PROBLEM("unauthorized"));
  });

  it("accepts each nonce once, and only at the endpoint that issued it", async () => {
    const a = await setup();
    const acme = await a.client();
    const nonce = await acme.nonce();
    const first = await acme.send(acme.directory.newAccount, {}, { useJwk: true, nonce });
    expect(first.status).toBe(201);
    const replay = await acme.send(acme.directory.newAccount, {}, { useJwk: true, nonce });
    expect(replay.status).toBe(400);
    expect(replay.body).toMatchObject({ type: PROBLEM("badNonce") });
    expect(replay.headers.get("replay-nonce")).not.toBeNull();

    const other = await a.server.endpoints.create({ name: "other" });
    const b = await (await import("../testing/acme-client.js")).TestAcmeClient.create({
      fetch: a.server.handle,
      directoryUrl: other._unsafeUnwrap().endpointUrl,
    });
    const foreign = await b.send(b.directory.newAccount, {}, { useJwk: true, nonce: await acme.nonce() });
    expect(foreign.body).toMatchObject({ type: PROBLEM("badNonce") });
    const missing = await acme.send(
      acme.directory.newAccount,
      {},
      { useJwk: true, header: { nonce: undefined } },
    );
    expect(missing.body).toMatchObject({ type: PROBLEM("badNonce") });
  });

  it("refuses an account URL of another endpoint as kid", async () => {
    const a = await setup();
    const acme = await a.client();
    await acme.register();
    const other = (await a.server.endpoints.create({ name: "other" }))._unsafeUnwrap();
    const { TestAcmeClient } = await import("../testing/acme-client.js");
    const b = await TestAcmeClient.create({
      fetch: a.server.handle,
      directoryUrl: other.endpointUrl,
      accountKey: acme.accountKey,
    });
    b.accountUrl = acme.accountUrl;
    const response = await b.newOrder(["example.test"]);
    expect(response.body).toMatchObject({ type: PROBLEM("accountDoesNotExist") });
  });

  it("refuses a bad signature, a private JWK and a small RSA key", async () => {
    const { server, client } = await setup();
    const acme = await client();
    const body = await acme.body(acme.directory.newAccount, { termsOfServiceAgreed: true }, { useJwk: true });
    const tampered = { ...body, payload: b64({ termsOfServiceAgreed: false }) };
    const badSig = await rawPost(server.handle, acme.directory.newAccount, JSON.stringify(tampered));
    expect(await jsonOf(badSig)).toMatchObject({
      type: PROBLEM("malformed"),
      detail: expect.stringMatching(/signature/),
    });

    const privateJwk = acme.accountKey.export({ format: "jwk" });
    const withD = await acme.send(
      acme.directory.newAccount,
      {},
      { useJwk: true, header: { jwk: privateJwk } },
    );
    expect(withD.body).toMatchObject({
      type: PROBLEM("badPublicKey"),
      detail: expect.stringMatching(/private member `d`/),
    });

    const small = generateTestKey("RSA-1024").privateKey;
    const rsa = await acme.send(acme.directory.newAccount, {}, { useJwk: true, key: small });
    expect(rsa.body).toMatchObject({
      type: PROBLEM("badPublicKey"),
      detail: expect.stringMatching(/1024 bits is too small/),
    });
  });

  it("refuses an ES384 signature over a P-256 key with badSignatureAlgorithm", async () => {
    const { server, client } = await setup();
    const acme = await client();
    const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey;
    const nonce = await acme.nonce();
    // Signed by a P-384 key but naming a P-256 key in jwk.
    const body = await signJws(
      p384,
      { nonce, url: acme.directory.newAccount, jwk: publicJwk(acme.accountKey) },
      {},
    );
    const response = await rawPost(server.handle, acme.directory.newAccount, JSON.stringify(body));
    expect(await jsonOf(response)).toMatchObject({
      type: PROBLEM("badSignatureAlgorithm"),
      algorithms: ["ES256"],
    });
  });

  it("refuses malformed bodies of every kind with a problem, never a 500", async () => {
    const { server, client } = await setup();
    const acme = await client();
    const url = acme.directory.newAccount;
    const good = await acme.body(url, {}, { useJwk: true });
    const cases: [string, string][] = [
      ["empty", ""],
      ["not JSON", "{"],
      ["array", "[]"],
      ["compact", `"${good.protected}.${good.payload}.${good.signature}"`],
      [
        "general",
        JSON.stringify({
          payload: good.payload,
          signatures: [{ protected: good.protected, signature: good.signature }],
        }),
      ],
      ["bad base64url", JSON.stringify({ ...good, protected: `${good.protected}=` })],
      ["numbers", JSON.stringify({ protected: 1, payload: 2, signature: 3 })],
      ["header not JSON", JSON.stringify({ ...good, protected: Buffer.from("{x").toString("base64url") })],
      ["unprotected header", JSON.stringify({ ...good, header: { kid: "x" } })],
    ];
    for (const [name, body] of cases) {
      const response = await rawPost(server.handle, url, body);
      expect(response.status, name).toBe(400);
      expect(response.headers.get("content-type"), name).toBe("application/problem+json");
      expect((await jsonOf(response)).type, name).toBe(PROBLEM("malformed"));
    }
  });

  it("refuses bodies over the limit with 413, declared or chunked", async () => {
    const { server, client } = await setup({}, { limits: { maxBodyBytes: 1000 } });
    const acme = await client();
    const big = "x".repeat(2000);
    const declared = await server.handle(
      new Request(acme.directory.newAccount, {
        method: "POST",
        headers: { "content-type": "application/jose+json", "content-length": "2000" },
        body: big,
      }),
    );
    expect(declared.status).toBe(413);
    const chunked = await server.handle(chunkedPost(acme.directory.newAccount, [big]));
    expect(chunked.status).toBe(413);
    expect((await jsonOf(chunked)).detail).toMatch(/limit of 1000 bytes/);
  });

  it("accepts a chunked body without Content-Length", async () => {
    const { server, client } = await setup();
    const acme = await client();
    const body = JSON.stringify(await acme.body(acme.directory.newAccount, {}, { useJwk: true }));
    const response = await server.handle(
      chunkedPost(acme.directory.newAccount, [body.slice(0, 50), body.slice(50)]),
    );
    expect(response.status).toBe(201);
  });
});

/** A POST whose body streams in `chunks`, with no Content-Length (chunked transfer). */
function chunkedPost(url: string, chunks: readonly string[]): Request {
  const body = new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      controller.close();
    },
  });
  const init = { method: "POST", headers: { "content-type": "application/jose+json" }, body, duplex: "half" };
  return new Request(url, init as RequestInit);
}
