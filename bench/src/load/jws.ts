import { Buffer } from "node:buffer";
import { type KeyObject, sign } from "node:crypto";
import { generateP256 } from "./keys.js";

/** An ES256 account key (RFC 7518 §3.4) with its public JWK. */
export interface AccountKey {
  readonly privateKey: KeyObject;
  readonly jwk: Record<string, unknown>;
}

export function generateAccountKey(): AccountKey {
  const { privateKey, publicJwk } = generateP256();
  const { kty, crv, x, y } = publicJwk;
  return { privateKey, jwk: { kty, crv, x, y } };
}

const b64 = (text: string) => Buffer.from(text).toString("base64url");

/** A flattened JWS (RFC 7515 §7.2.2) as RFC 8555 §6.2 wants it, serialized for the wire. */
export function signJws(
  key: AccountKey,
  header: { readonly url: string; readonly nonce: string; readonly kid?: string },
  payload: unknown,
): string {
  const protectedB64 = b64(
    JSON.stringify(
      header.kid === undefined
        ? { alg: "ES256", jwk: key.jwk, nonce: header.nonce, url: header.url }
        : { alg: "ES256", kid: header.kid, nonce: header.nonce, url: header.url },
    ),
  );
  // RFC 8555 §6.3: POST-as-GET signs the empty payload.
  const payloadB64 = payload === undefined ? "" : b64(JSON.stringify(payload));
  const signature = sign("sha256", Buffer.from(`${protectedB64}.${payloadB64}`), {
    key: key.privateKey,
    dsaEncoding: "ieee-p1363",
  });
  return JSON.stringify({
    protected: protectedB64,
    payload: payloadB64,
    signature: signature.toString("base64url"),
  });
}
