import { Buffer } from "node:buffer";
import { createPublicKey, type KeyObject } from "node:crypto";
import { readChildren, readTlv, TAG_BIT_STRING, TAG_INTEGER, TAG_SEQUENCE, tlvValue } from "./der.js";
import { rememberSpkiDer, spkiDerOf } from "./spki.js";

/*
 * node:crypto imports DER keys through OpenSSL 3's decoder framework, which is slow (an EC
 * SPKI costs more than an ECDSA verification) and then exports slowly too; a JWK import builds
 * the key directly and is 2-10x faster. So the usual keys in their one canonical DER encoding
 * (RFC 5480 named-curve EC with an uncompressed point, RFC 8410 Ed25519/Ed448, RFC 3279 RSA
 * with NULL parameters) are imported from their JWK members, and their DER is known to be
 * exactly what node:crypto would export. Anything else goes the slow, general way.
 */

const b64url = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");

/** SPKI bytes before the key material, for fixed-size canonical encodings. */
const FIXED: readonly { prefix: Buffer; length: number; jwk: (key: Uint8Array) => Record<string, string> }[] =
  [
    ec("3059301306072a8648ce3d020106082a8648ce3d03010703420004", "P-256", 32),
    ec("3076301006072a8648ce3d020106052b8104002203620004", "P-384", 48),
    ec("30819b301006072a8648ce3d020106052b810400230381860004", "P-521", 66),
    okp("302a300506032b6570032100", "Ed25519", 32),
    okp("3043300506032b6571033a00", "Ed448", 57),
  ];

/** EC prefixes end with the BIT STRING's unused-bits octet and 04, the uncompressed point marker (SEC 1 §2.3.3). */
function ec(prefixHex: string, crv: string, size: number) {
  const prefix = Buffer.from(prefixHex, "hex");
  return {
    prefix,
    length: prefix.length + 2 * size,
    jwk: (point: Uint8Array) => ({
      kty: "EC",
      crv,
      x: b64url(point.subarray(0, size)),
      y: b64url(point.subarray(size)),
    }),
  };
}

function okp(prefixHex: string, crv: string, size: number) {
  const prefix = Buffer.from(prefixHex, "hex");
  return {
    prefix,
    length: prefix.length + size,
    jwk: (x: Uint8Array) => ({ kty: "OKP", crv, x: b64url(x) }),
  };
}

/** AlgorithmIdentifier { rsaEncryption, NULL } (RFC 3279 §2.3.1). */
const RSA_ALGORITHM = Buffer.from("300d06092a864886f70d0101010500", "hex");

/** The JWK of a canonically encoded key, or undefined when the SPKI is not one of those forms. */
function canonicalJwk(spki: Uint8Array): Record<string, string> | undefined {
  for (const form of FIXED) {
    if (spki.length === form.length && form.prefix.equals(spki.subarray(0, form.prefix.length))) {
      return form.jwk(spki.subarray(form.prefix.length));
    }
  }
  return rsaJwk(spki);
}

function rsaJwk(spki: Uint8Array): Record<string, string> | undefined {
  const outer = readTlv(spki, 0);
  const parts =
    outer?.tag === TAG_SEQUENCE && outer.end === spki.length ? readChildren(spki, outer) : undefined;
  const [algorithm, bits] = parts ?? [];
  if (
    parts?.length !== 2 ||
    !algorithm ||
    !RSA_ALGORITHM.equals(spki.subarray(algorithm.start, algorithm.end))
  )
    return undefined;
  if (bits?.tag !== TAG_BIT_STRING || spki[bits.valueStart] !== 0) return undefined;
  const key = readTlv(spki, bits.valueStart + 1, bits.end);
  const integers = key?.tag === TAG_SEQUENCE && key.end === bits.end ? readChildren(spki, key) : undefined;
  const [n, e] = (integers ?? []).map((i) =>
    i.tag === TAG_INTEGER ? minimalPositive(tlvValue(spki, i)) : undefined,
  );
  if (integers?.length !== 2 || !n || !e) return undefined;
  return { kty: "RSA", n: b64url(n), e: b64url(e) };
}

/** The magnitude of a minimally encoded positive DER INTEGER (X.690 §8.3.2), else undefined. */
function minimalPositive(value: Uint8Array): Uint8Array | undefined {
  const [first, second] = value;
  if (first === undefined || first & 0x80) return undefined;
  if (first !== 0) return value;
  return second !== undefined && second & 0x80 ? value.subarray(1) : undefined;
}

/**
 * Imports a SubjectPublicKeyInfo and answers it with the DER node:crypto exports for it (the
 * bytes a certificate for this key will carry). Throws when node:crypto cannot load the key.
 */
export function importSpki(spki: Uint8Array): { publicKey: KeyObject; spkiDer: Uint8Array } {
  const jwk = canonicalJwk(spki);
  if (jwk === undefined) {
    const publicKey = createPublicKey({
      key: Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength),
      format: "der",
      type: "spki",
    });
    return { publicKey, spkiDer: spkiDerOf(publicKey) };
  }
  const publicKey = createPublicKey({ key: jwk, format: "jwk" });
  // A copy, not a view: Buffer's slice() would share the caller's request bytes.
  const spkiDer = new Uint8Array(spki);
  rememberSpkiDer(publicKey, spkiDer);
  return { publicKey, spkiDer };
}
