import { Buffer } from "node:buffer";
import { createPublicKey, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { oid, sequence, set, tlv } from "./der.js";
import { generateP256 } from "./keys.js";

export type CertKeyType = "p256" | "rsa2048";

/** A certificate key, with its SPKI encoded once. */
export interface CertKey {
  readonly type: CertKeyType;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly spkiDer: Buffer;
}

// RFC 5480 §2: SEQUENCE { SEQUENCE { id-ecPublicKey, secp256r1 }, BIT STRING { 0, 04 x y } }
// up to the point's coordinates, which are the only part that varies between P-256 keys.
const P256_SPKI_PREFIX = Buffer.from("3059301306072a8648ce3d020106082a8648ce3d03010703420004", "hex");

export function generateCertKey(type: CertKeyType): CertKey {
  if (type === "rsa2048") {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    return { type, privateKey, publicKey, spkiDer: publicKey.export({ type: "spki", format: "der" }) };
  }
  // A fresh key per certificate. Its SPKI is written from the JWK's coordinates: node's DER
  // export goes through OpenSSL 3's encoders, about 120 µs a key, the JWK export about 6.
  const { privateKey, publicJwk } = generateP256();
  const { x, y } = publicJwk;
  const publicKey = createPublicKey(privateKey);
  const spkiDer = Buffer.concat([
    P256_SPKI_PREFIX,
    Buffer.from(x ?? "", "base64url"),
    Buffer.from(y ?? "", "base64url"),
  ]);
  return { type, privateKey, publicKey, spkiDer };
}

// RFC 5758 §3.2 ecdsa-with-SHA256 (no parameters); RFC 4055 sha256WithRSAEncryption (NULL).
const ECDSA_SHA256 = sequence(oid("1.2.840.10045.4.3.2"));
const RSA_SHA256 = sequence(oid("1.2.840.113549.1.1.11"), Buffer.from([0x05, 0x00]));
const EXTENSION_REQUEST = oid("1.2.840.113549.1.9.14");
const SUBJECT_ALT_NAME = oid("2.5.29.17");
const COMMON_NAME = oid("2.5.4.3");

/**
 * A PKCS#10 request (RFC 2986) for `names` — CN the first name, every name a dNSName in the
 * subjectAltName extension request — written as DER directly: the load generator shares the
 * machine with the server, so its own work is kept small.
 */
export function createCsr(key: CertKey, names: readonly string[]): Buffer {
  const first = names[0] ?? "";
  const subject = sequence(set(sequence(COMMON_NAME, tlv(0x0c, Buffer.from(first)))));
  const san = sequence(...names.map((n) => tlv(0x82, Buffer.from(n, "latin1"))));
  const extensions = sequence(sequence(SUBJECT_ALT_NAME, tlv(0x04, san)));
  const attributes = tlv(0xa0, sequence(EXTENSION_REQUEST, set(extensions)));
  const info = sequence(tlv(0x02, Buffer.from([0])), subject, key.spkiDer, attributes);
  const signature = sign("sha256", info, key.privateKey);
  return sequence(
    info,
    key.type === "p256" ? ECDSA_SHA256 : RSA_SHA256,
    tlv(0x03, Buffer.from([0]), signature),
  );
}
