import { generateKeyPairSync, type JsonWebKey, type KeyObject } from "node:crypto";

/**
 * A fresh P-256 key pair whose public half comes out of the generation itself as a JWK.
 * Exporting a generateKeyPairSync key as a JWK afterwards can deadlock node 20: a garbage
 * collection during the export finalizes the generation job, whose destructor waits on the
 * lock the export holds (see generateTestKey in core's testing module, and its test).
 * (@types/node has no overload for a JWK encoding, which node has taken since 16.)
 */
export function generateP256(): { privateKey: KeyObject; publicJwk: JsonWebKey } {
  const generate = generateKeyPairSync as unknown as (
    type: "ec",
    options: { namedCurve: string; publicKeyEncoding: { format: "jwk" } },
  ) => { privateKey: KeyObject; publicKey: JsonWebKey };
  const { privateKey, publicKey } = generate("ec", {
    namedCurve: "P-256",
    publicKeyEncoding: { format: "jwk" },
  });
  return { privateKey, publicJwk: publicKey };
}
