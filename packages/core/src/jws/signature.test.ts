import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import { jsonOf, PROBLEM, rawPost, setup } from "../test/setup.js";
import { generateTestKey, signJws, type TestKeyType } from "../testing/acme-client.js";

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
