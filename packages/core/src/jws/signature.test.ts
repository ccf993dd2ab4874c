import { Buffer } from "node:buffer";
import { generateKeyPairSync, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { jsonOf, PROBLEM, rawPost, setup } from "../test/setup.js";
import { generateTestKey, signJws, type TestKeyType } from "../testing/acme-client.js";
import { type ParsedJws, parseFlattenedJws } from "./parse.js";
import { verifyJwsSignature } from "./signature.js";

/** Signature checks done with node:crypto directly (RFC 7515 §5.2, RFC 7518 §3.4, RFC 8037). */
describe("JWS signature verification", () => {
  it.each<TestKeyType>(["P-256", "P-384", "P-521", "RSA-2048", "Ed25519"])(
    "accepts a %s account's requests and refuses a tampered payload",
    async (type) => {
      const { server, client } = await setup();
      const acme = await client();
      acme.accountKey = generateTestKey(type).privateKey;
      expect((await acme.register()).status).toBe(201);
      expect((await acme.newOrder(["www.example.test"])).status).toBe(201);

      const body = await acme.body(acme.directory.newOrder, {
        identifiers: [{ type: "dns", value: "example.test" }],
      });
      const tampered = { ...body, payload: Buffer.from('{"identifiers":[]}').toString("base64url") };
      const answer = await jsonOf(
        await rawPost(server.handle, acme.directory.newOrder, JSON.stringify(tampered)),
      );
      expect(answer).toMatchObject({
        type: PROBLEM("malformed"),
        detail: expect.stringMatching(/does not verify/),
      });
    },
  );

  it("refuses an ES256 signature of the wrong length (DER instead of r || s)", async () => {
    const { server, client } = await setup();
    const acme = await client();
    await acme.register();
    const body = await acme.body(acme.directory.newOrder, {});
    const signature = Buffer.from(body.signature, "base64url");
    for (const wrong of [signature.subarray(0, 63), Buffer.concat([signature, Buffer.from([0])])]) {
      const sent = {
        ...(await acme.body(acme.directory.newOrder, {})),
        signature: wrong.toString("base64url"),
      };
      const answer = await jsonOf(
        await rawPost(server.handle, acme.directory.newOrder, JSON.stringify(sent)),
      );
      expect(answer).toMatchObject({
        type: PROBLEM("malformed"),
        detail: expect.stringMatching(/does not verify/),
      });
    }
  });

  it("refuses any `crit` (RFC 7515 §4.1.11) and `b64: false` (RFC 7797), even when correctly signed", async () => {
    const { server, client } = await setup();
    const acme = await client();
    await acme.register();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ crit: ["b64"], b64: false }, /`crit`/],
      [{ crit: ["exp"], exp: 1 }, /`crit`/],
      [{ crit: [] }, /`crit`/],
      [{ b64: false }, /b64: false/],
    ];
    for (const [extra, detail] of cases) {
      const header = {
        nonce: await acme.nonce(),
        url: acme.directory.newOrder,
        kid: acme.accountUrl,
        ...extra,
      };
      const body = await signJws(acme.accountKey, header, {});
      const answer = await jsonOf(
        await rawPost(server.handle, acme.directory.newOrder, JSON.stringify(body)),
      );
      expect(answer).toMatchObject({ type: PROBLEM("malformed"), detail: expect.stringMatching(detail) });
    }
  });
});

describe("verifyJwsSignature's signing input", () => {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jws = (payloadText: string, signedPayload = payloadText): ParsedJws => {
    const protectedB64 = Buffer.from('{"alg":"ES256"}').toString("base64url");
    const payload = Buffer.from(payloadText).toString("base64url");
    const signed = `${protectedB64}.${Buffer.from(signedPayload).toString("base64url")}`;
    const signature = sign("sha256", Buffer.from(signed), { key: privateKey, dsaEncoding: "ieee-p1363" });
    const parsed = parseFlattenedJws(
      Buffer.from(
        JSON.stringify({ protected: protectedB64, payload, signature: signature.toString("base64url") }),
      ),
    );
    return parsed._unsafeUnwrap();
  };

  it("is exactly protected.payload, whatever was verified before and at any size", () => {
    const long = "x".repeat(20_000);
    const sizes = ["", "{}", "y".repeat(7000), long, "z".repeat(6000), "{}", long.slice(1), "a"];
    for (const text of sizes) {
      expect(verifyJwsSignature(jws(text), publicKey, "ES256").isOk(), `${text.length} octets`).toBe(true);
      // A signature over a longer or shorter payload than the one sent never verifies.
      expect(verifyJwsSignature(jws(text, `${text}!`), publicKey, "ES256").isErr()).toBe(true);
      if (text.length > 0) {
        expect(verifyJwsSignature(jws(text, text.slice(1)), publicKey, "ES256").isErr()).toBe(true);
      }
    }
  });
});
